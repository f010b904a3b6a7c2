import { copyFile } from 'node:fs/promises';
import path from 'node:path';

/**
 * `npm run schema:release`: schema/schema.graphql becomes the released schema that the schema test holds
 * later changes to. A breaking change fails that test until it is released this way, so the history of
 * schema/released.graphql records every break, in the commit that made it.
 */
const SCHEMA_FILE = path.resolve(__dirname, '../../../schema/schema.graphql');
const RELEASED_SCHEMA_FILE = path.resolve(__dirname, '../../../schema/released.graphql');

copyFile(SCHEMA_FILE, RELEASED_SCHEMA_FILE).then(
  () =>
    console.log(
      `released ${path.relative(process.cwd(), SCHEMA_FILE)} as ${path.relative(process.cwd(), RELEASED_SCHEMA_FILE)}`,
    ),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
