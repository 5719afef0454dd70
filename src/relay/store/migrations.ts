// The relay's schema, one entry per version (PRAGMA user_version). Entries are never edited once
// released: a change is a new entry, so that every older database upgrades the same way.
export const MIGRATIONS: readonly string[] = [
	// 1: pairing, devices, the accepted messages and the events the app pulls.
	`
	CREATE TABLE pairing_codes (
		code_hash TEXT PRIMARY KEY,
		created_at INTEGER NOT NULL,
		expires_at INTEGER NOT NULL,
		used_at INTEGER
	);
	CREATE TABLE devices (
		id TEXT PRIMARY KEY,
		name TEXT NOT NULL,
		token_hash TEXT NOT NULL UNIQUE,
		created_at INTEGER NOT NULL,
		revoked_at INTEGER
	);
	CREATE TABLE messages (
		id INTEGER PRIMARY KEY,
		idempotency_key TEXT NOT NULL UNIQUE,
		body_hash TEXT NOT NULL,
		device_id TEXT NOT NULL REFERENCES devices(id),
		template TEXT NOT NULL,
		recipient TEXT NOT NULL,
		user_id TEXT NOT NULL,
		payload TEXT NOT NULL,
		state TEXT NOT NULL CHECK (state IN ('queued', 'sending', 'delivered', 'undeliverable')),
		attempts INTEGER NOT NULL DEFAULT 0,
		next_attempt_at INTEGER NOT NULL,
		created_at INTEGER NOT NULL,
		finished_at INTEGER,
		last_error TEXT
	);
	CREATE INDEX messages_due ON messages (state, next_attempt_at);
	CREATE TABLE events (
		seq INTEGER PRIMARY KEY AUTOINCREMENT,
		type TEXT NOT NULL,
		user_id TEXT NOT NULL,
		idempotency_key TEXT,
		at INTEGER NOT NULL,
		reason TEXT
	);
	`,
	// 2: accounts the activation links open, the links themselves, and the built-in mailbox.
	`
	ALTER TABLE devices ADD COLUMN last_seen_at INTEGER;
	CREATE TABLE accounts (
		user_id TEXT PRIMARY KEY,
		email TEXT,
		username TEXT,
		display_name TEXT,
		password_hash TEXT,
		must_change_password INTEGER NOT NULL DEFAULT 0,
		activated_at INTEGER,
		last_sign_in_at INTEGER,
		updated_at INTEGER NOT NULL
	);
	CREATE INDEX accounts_email ON accounts (email);
	CREATE INDEX accounts_username ON accounts (username);
	CREATE TABLE activation_tokens (
		token_hash TEXT PRIMARY KEY,
		user_id TEXT NOT NULL REFERENCES accounts(user_id),
		message_id INTEGER REFERENCES messages(id),
		purpose TEXT NOT NULL CHECK (purpose IN ('activate', 'change-password')),
		created_at INTEGER NOT NULL,
		expires_at INTEGER NOT NULL,
		used_at INTEGER
	);
	CREATE TABLE mailbox (
		id INTEGER PRIMARY KEY,
		kind TEXT NOT NULL CHECK (kind IN ('mail', 'sms')),
		message_id INTEGER NOT NULL UNIQUE REFERENCES messages(id),
		recipient TEXT NOT NULL,
		subject TEXT,
		text TEXT NOT NULL,
		html TEXT,
		created_at INTEGER NOT NULL
	);
	`,
	// 3: a scratch table the write probe (store/write-health.ts) fills and empties in one
	// transaction, so "ready" means a real write reached the disk.
	`
	CREATE TABLE write_probe (id INTEGER PRIMARY KEY, data BLOB NOT NULL);
	`,
	// 4: the message limits are counted from this table (so they survive a restart), a recipient
	// under one key however its address is spelled, and body hashes are keyed. Rows from before get their
	// recipient lowercased (exact for ASCII addresses; an IDN spelled otherwise counts apart only until its
	// hour is over) and keep their plain hash, except an sms-login row's: it hashes the initial password.
	`
	ALTER TABLE messages ADD COLUMN recipient_key TEXT;
	UPDATE messages SET recipient_key = lower(recipient);
	CREATE INDEX messages_by_recipient ON messages (recipient_key, created_at);
	CREATE INDEX messages_by_device ON messages (device_id, created_at);
	UPDATE messages SET body_hash = 'unverifiable' WHERE template = 'sms-login';
	`,
	// 5: an initial password (SMS login details) signs in once, within a lifetime: when it was
	// set, by which message (a retried SMS does not set it again), and when it was used. One already set
	// before this counts from its account's last update. And the
	// browsers each account signed in from (store/trusted-browsers.ts).
	`
	ALTER TABLE accounts ADD COLUMN initial_password_set_at INTEGER;
	ALTER TABLE accounts ADD COLUMN initial_password_used_at INTEGER;
	ALTER TABLE accounts ADD COLUMN initial_password_message_id INTEGER;
	UPDATE accounts SET initial_password_set_at = updated_at WHERE must_change_password = 1;
	CREATE TABLE trusted_browsers (
		token_hash TEXT PRIMARY KEY,
		user_id TEXT NOT NULL,
		created_at INTEGER NOT NULL,
		expires_at INTEGER NOT NULL
	);
	CREATE INDEX trusted_browsers_expiry ON trusted_browsers (expires_at);
	`,
	// 6: a link can be revoked (a newer link, another link used, the account suspended or deleted);
	// accounts can be suspended or deleted by the app's account commands, which are kept by idempotency key.
	`
	ALTER TABLE activation_tokens ADD COLUMN revoked_at INTEGER;
	CREATE INDEX activation_tokens_user ON activation_tokens (user_id, used_at, revoked_at);
	ALTER TABLE accounts ADD COLUMN suspended_at INTEGER;
	ALTER TABLE accounts ADD COLUMN deleted_at INTEGER;
	CREATE INDEX messages_user ON messages (user_id, state);
	CREATE TABLE commands (
		id INTEGER PRIMARY KEY,
		idempotency_key TEXT NOT NULL UNIQUE,
		body_hash TEXT NOT NULL,
		device_id TEXT NOT NULL REFERENCES devices(id),
		type TEXT NOT NULL CHECK (type IN ('suspend', 'reactivate', 'delete')),
		user_id TEXT NOT NULL,
		applied_at INTEGER NOT NULL
	);
	`,
	// 7: licenses (workflow A). The account keeps only a hash of its license key (a new key replaces it,
	// so the old one activates nothing), its products and its web-access switch (NULL: never told, sign-in
	// as before). The computers holding its Desktop slots, one row per name (compared case-insensitively).
	// Commands may now be 'license' and 'deactivate': SQLite cannot change a CHECK, so the table is copied.
	// Events name the computer they are about.
	`
	ALTER TABLE accounts ADD COLUMN license_key_hash TEXT;
	ALTER TABLE accounts ADD COLUMN entitlements TEXT;
	ALTER TABLE accounts ADD COLUMN web_access INTEGER;
	CREATE TABLE computers (
		user_id TEXT NOT NULL,
		name TEXT NOT NULL,
		name_key TEXT NOT NULL,
		activated_at INTEGER NOT NULL,
		PRIMARY KEY (user_id, name_key)
	);
	CREATE TABLE commands_v7 (
		id INTEGER PRIMARY KEY,
		idempotency_key TEXT NOT NULL UNIQUE,
		body_hash TEXT NOT NULL,
		device_id TEXT NOT NULL REFERENCES devices(id),
		type TEXT NOT NULL CHECK (type IN ('suspend', 'reactivate', 'delete', 'license', 'deactivate')),
		user_id TEXT NOT NULL,
		applied_at INTEGER NOT NULL
	);
	INSERT INTO commands_v7 SELECT id, idempotency_key, body_hash, device_id, type, user_id, applied_at FROM commands;
	DROP TABLE commands;
	ALTER TABLE commands_v7 RENAME TO commands;
	ALTER TABLE events ADD COLUMN computer TEXT;
	`,
	// 8: POST /api/activate needs no token, so each attempt must cost an index lookup, not a scan of
	// every account: it finds the account by its key's hash, then compares the email.
	`
	CREATE INDEX accounts_license_key ON accounts (license_key_hash);
	`
];
