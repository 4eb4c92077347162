const { createClient } = require("@libsql/client");

async function setup(db) {
  await db.batch([
    "CREATE TABLE posts (id INTEGER PRIMARY KEY, author INTEGER REFERENCES users(id))",
    "CREATE INDEX posts_author ON posts(author)",
  ], "write");
}

module.exports = { setup };
