// Run drizzle-orm's real libSQL migrator: node tools/migrate.mjs <database url> <migrations folder>
// Prints the ledger afterwards as JSON. Lives in tools/ so that tools/node_modules resolves.
import { createClient } from '@libsql/client';
import { drizzle } from 'drizzle-orm/libsql';
import { migrate } from 'drizzle-orm/libsql/migrator';

const [url, folder] = process.argv.slice(2);
const client = createClient({ url });
await migrate(drizzle(client), { migrationsFolder: folder });
const ledger = await client.execute('SELECT hash, created_at FROM "__drizzle_migrations" ORDER BY created_at');
console.log(JSON.stringify(ledger.rows.map((r) => [r.hash, Number(r.created_at)])));
client.close();
