export async function seed(db) {
  await db.execute("CREATE TABLE IF NOT EXISTS seeds (name TEXT PRIMARY KEY)");
  await db.execute({ sql: "INSERT INTO seeds (name) VALUES (?)", args: ["initial"] });
}
