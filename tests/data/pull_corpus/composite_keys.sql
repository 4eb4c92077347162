-- Composite primary and foreign keys, actions, deferrable keys, implicit targets, self references.
CREATE TABLE orgs (id INTEGER PRIMARY KEY, parent_id INTEGER REFERENCES orgs(id) ON DELETE SET NULL);
CREATE TABLE teams (org_id INTEGER NOT NULL REFERENCES orgs ON DELETE CASCADE ON UPDATE CASCADE, code TEXT NOT NULL, name TEXT, PRIMARY KEY (org_id, code));
CREATE TABLE members (
  id INTEGER PRIMARY KEY,
  org_id INTEGER NOT NULL,
  team_code TEXT NOT NULL,
  manager_id INTEGER REFERENCES members(id) DEFERRABLE INITIALLY DEFERRED,
  FOREIGN KEY (org_id, team_code) REFERENCES teams(org_id, code) ON DELETE RESTRICT ON UPDATE SET DEFAULT
);
CREATE TABLE memberships (
  org_id INTEGER, team_code TEXT, member_id INTEGER REFERENCES members ON DELETE NO ACTION,
  PRIMARY KEY (member_id, org_id, team_code),
  FOREIGN KEY (org_id, team_code) REFERENCES teams(org_id, code) DEFERRABLE INITIALLY DEFERRED
);
CREATE TABLE dangling (id INTEGER PRIMARY KEY, ghost_id INTEGER REFERENCES nowhere(id));
CREATE TABLE dangling_more (id INTEGER PRIMARY KEY, a INTEGER REFERENCES vanished ON DELETE CASCADE, b TEXT, c TEXT, FOREIGN KEY (b, c) REFERENCES vanished(x, y));
