// PostGraphile v5 with its amber preset on the gateway's database: the peer of `npm run bench -- --section peer`.
// DATABASE_URL and PORT come from the bench; one process, no watch mode, no GraphiQL, production settings.
import { createServer } from 'node:http';
import { postgraphile } from 'postgraphile';
import { makePgService } from 'postgraphile/adaptors/pg';
import { grafserv } from 'postgraphile/grafserv/node';
import { PostGraphileAmberPreset } from 'postgraphile/presets/amber';

const preset = {
  extends: [PostGraphileAmberPreset],
  pgServices: [makePgService({ connectionString: process.env.DATABASE_URL, schemas: ['public'], poolConfig: { max: Number(process.env.DB_POOL_MAX ?? 10) } })],
  grafserv: { graphqlPath: '/graphql', graphiql: false, watch: false },
  grafast: { explain: false },
};

const pgl = postgraphile(preset);
const serv = pgl.createServ(grafserv);
const server = createServer();
serv.addTo(server).then(() => {
  server.listen(Number(process.env.PORT ?? 5678), '127.0.0.1', () => console.log(`PostGraphile listening on ${process.env.PORT}`));
});
process.on('SIGTERM', () => {
  server.close();
  void pgl.release().then(() => process.exit(0));
});
