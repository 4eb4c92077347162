import { createClient, type Client } from "@libsql/client";

const USERS = "users";

export async function migrate(client: Client): Promise<void> {
  await client.execute(`
    CREATE TABLE IF NOT EXISTS ${USERS} (
      id INTEGER PRIMARY KEY,
      email TEXT NOT NULL UNIQUE
    )
  `);
  await client.execute("PRAGMA foreign_keys = ON");
}
