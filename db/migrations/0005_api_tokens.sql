-- Personal API tokens (接口令牌): a signed-in user creates one on 我的 for an
-- integration (e.g. 县平台对接). The secret is shown once; only its SHA-256 is
-- kept, with a short non-secret prefix so the owner can recognise it. A token
-- is never deleted when revoked or expired, so the list and the audit trail
-- keep telling what it was; revoked_at = '' means it has not been revoked.
CREATE TABLE api_tokens (
    id              INTEGER PRIMARY KEY,
    user_id         BIGINT NOT NULL REFERENCES users (id),
    name            TEXT   NOT NULL,              -- 用途, e.g. 县平台对接
    token_hash      TEXT   NOT NULL,              -- hex SHA-256 of the whole secret
    prefix          TEXT   NOT NULL,              -- the secret's first characters, e.g. gt_Ab3dE9xQ
    created_at      TEXT   NOT NULL,
    expires_at      TEXT   NOT NULL,
    last_used_at    TEXT   NOT NULL DEFAULT '',   -- refreshed at most once a minute
    last_used_ip    TEXT   NOT NULL DEFAULT '',
    revoked_at      TEXT   NOT NULL DEFAULT '',
    revoked_reason  TEXT   NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX api_tokens_hash ON api_tokens (token_hash);
CREATE INDEX api_tokens_user ON api_tokens (user_id, id);
