import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { buildGatewaySchema, printGatewaySchema } from '../schema';

/** `npm run schema:emit`: writes schema/schema.graphql from the type-graphql classes. */
export const SCHEMA_FILE = path.resolve(__dirname, '../../../schema/schema.graphql');

async function main() {
  const sdl = printGatewaySchema(await buildGatewaySchema());
  await writeFile(SCHEMA_FILE, sdl);
  console.log(`wrote ${path.relative(process.cwd(), SCHEMA_FILE)}`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
