import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { types as pgTypes } from 'pg';
import { parseTimestamptz, TIMESTAMPTZ_OID } from '../src/db/timestamps';

describe('timestamptz parsing', () => {
  it("gives what pg's own parser gives, for every form PostgreSQL writes", () => {
    const pgParser = pgTypes.getTypeParser(TIMESTAMPTZ_OID, 'text') as (text: string) => unknown;
    const forms = [
      '2026-10-31 20:36:00+00',
      '2026-10-31 20:36:00.1+00',
      '2026-10-31 20:36:00.12+00',
      '2026-10-31 20:36:00.123+00',
      '2026-10-31 20:36:00.1234+00',
      '2026-10-31 20:36:00.12345+00',
      '2026-10-31 20:36:00.123456+00',
      '2026-10-31 20:36:00.999999+00',
      '2024-02-29 23:59:59.000001+00',
      '1969-12-31 23:59:59.9995+00',
      '1000-01-01 00:00:00+00',
      '0999-12-31 23:59:59.5+00',
      '0099-06-15 12:00:00+00',
      '9999-12-31 23:59:59.999999+00',
      '275760-09-13 00:00:00+00',
      '2026-10-31 20:36:00.+00',
      '2026-10-31 20:36:00+0000',
      '2026-10-31 22:36:00+02',
      '2026-10-31 15:06:00.5-05:30',
      '2026-03-29 01:59:59.999+01',
      '1999-12-31 23:59:59+00',
      '1850-01-01 00:00:00+00:53:28',
      '0044-03-15 12:00:00+00 BC',
      'infinity',
      '-infinity',
    ];
    for (const text of forms) {
      const ours = parseTimestamptz(text);
      const theirs = pgParser(text);
      assert.equal(
        ours instanceof Date ? ours.getTime() : ours,
        theirs instanceof Date ? theirs.getTime() : theirs,
        text,
      );
    }
  });
});
