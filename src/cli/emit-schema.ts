import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { buildOperationManifest, MANIFEST_FILE } from '../cache/persisted-queries';
import { buildGatewaySchema, printGatewaySchema } from '../graphql/build-schema';

/** `npm run schema:emit`: writes schema/schema.graphql and the persisted-operation manifest. */
export const SCHEMA_FILE = path.resolve(__dirname, '../../../schema/schema.graphql');

async function main() {
  await writeFile(SCHEMA_FILE, printGatewaySchema(await buildGatewaySchema()));
  await writeFile(MANIFEST_FILE, `${JSON.stringify(buildOperationManifest(), null, 2)}\n`);
  console.log(`wrote ${path.relative(process.cwd(), SCHEMA_FILE)} and ${path.relative(process.cwd(), MANIFEST_FILE)}`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
