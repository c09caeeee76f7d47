namespace Digest.Storage;

internal sealed record Migration(int Version, string Name, string Sql);

/// <summary>
/// The schema, as an append-only list: a released migration is never edited, a new one is added. One text serves
/// SQLite and PostgreSQL: <c>{pk}</c> stands for the dialect's auto-numbered primary key; integers are BIGINT.
/// </summary>
internal static class Migrations
{
    public static readonly IReadOnlyList<Migration> All =
    [
        new(1, "articles, subscribers, runs and the delivery ledger", """
            CREATE TABLE articles (
                id {pk},
                slug TEXT NOT NULL UNIQUE,
                content_key TEXT NOT NULL UNIQUE,
                headline TEXT NOT NULL,
                published_on TEXT NOT NULL,
                highlights TEXT NOT NULL,
                body TEXT NOT NULL,
                analysis TEXT NOT NULL,
                source TEXT NOT NULL,
                ingested_at TEXT NOT NULL
            );
            CREATE INDEX ix_articles_ingested_at ON articles (ingested_at);

            CREATE TABLE subscribers (
                id {pk},
                email TEXT NOT NULL UNIQUE,
                name TEXT NOT NULL,
                status TEXT NOT NULL,
                created_at TEXT NOT NULL
            );

            CREATE TABLE subscriptions (
                subscriber_id BIGINT NOT NULL REFERENCES subscribers (id),
                edition TEXT NOT NULL,
                status TEXT NOT NULL,
                updated_at TEXT NOT NULL,
                PRIMARY KEY (subscriber_id, edition)
            );
            CREATE INDEX ix_subscriptions_edition ON subscriptions (edition, status, subscriber_id);

            CREATE TABLE runs (
                id {pk},
                edition TEXT NOT NULL,
                slot TEXT NOT NULL,
                status TEXT NOT NULL,
                created_at TEXT NOT NULL,
                completed_at TEXT,
                UNIQUE (edition, slot)
            );

            CREATE TABLE run_articles (
                run_id BIGINT NOT NULL REFERENCES runs (id),
                article_id BIGINT NOT NULL REFERENCES articles (id),
                position BIGINT NOT NULL,
                PRIMARY KEY (run_id, article_id)
            );
            CREATE INDEX ix_run_articles_article ON run_articles (article_id);

            CREATE TABLE deliveries (
                run_id BIGINT NOT NULL REFERENCES runs (id),
                subscriber_id BIGINT NOT NULL REFERENCES subscribers (id),
                status TEXT NOT NULL,
                message_id TEXT NOT NULL,
                attempts BIGINT NOT NULL DEFAULT 0,
                last_reply TEXT,
                next_attempt_at TEXT,
                claim TEXT,
                updated_at TEXT NOT NULL,
                PRIMARY KEY (run_id, subscriber_id)
            );
            CREATE INDEX ix_deliveries_status ON deliveries (run_id, status, subscriber_id);
            """),
        new(2, "article origin (url, feed guid) for dedupe across sources; feed polling state", """
            ALTER TABLE articles ADD COLUMN url TEXT;
            ALTER TABLE articles ADD COLUMN external_key TEXT;
            CREATE UNIQUE INDEX ux_articles_external_key ON articles (external_key) WHERE external_key IS NOT NULL;
            CREATE INDEX ix_articles_url ON articles (url) WHERE url IS NOT NULL;

            CREATE TABLE feeds (
                name TEXT PRIMARY KEY,
                url TEXT NOT NULL,
                etag TEXT,
                last_modified TEXT,
                last_polled_at TEXT,
                last_success_at TEXT,
                next_poll_at TEXT,
                failures BIGINT NOT NULL DEFAULT 0,
                last_error TEXT,
                last_new_articles BIGINT NOT NULL DEFAULT 0
            );
            """),
        new(3, "each subscriber's own time zone, for editions delivered at a local hour", """
            ALTER TABLE subscribers ADD COLUMN time_zone TEXT;
            """),
        new(4, "the subscription list a run was sent to (Editions:NAME:Audience)", """
            ALTER TABLE runs ADD COLUMN audience TEXT;
            """),
        new(5, "articles an editor excluded from the next digests", """
            ALTER TABLE articles ADD COLUMN excluded_at TEXT;
            """),
        new(6, "the web's data-protection key ring (cookies, antiforgery), shared by every web process", """
            CREATE TABLE data_protection_keys (
                id {pk},
                name TEXT NOT NULL UNIQUE,
                xml TEXT NOT NULL,
                created_at TEXT NOT NULL
            );
            """),
        new(7, "when each subscriber was last sent a confirmation email (at most one per 10 minutes, decided here)", """
            ALTER TABLE subscribers ADD COLUMN confirmation_sent_at TEXT;
            """),
        new(8, "a run's alert: the relay refused Digest itself (password, TLS), sending waits for the fix", """
            ALTER TABLE runs ADD COLUMN alert TEXT;
            """),
        new(9, "what came back after the send: bounces, complaints, emailed and one-click unsubscribes", """
            CREATE TABLE feedback_events (
                id {pk},
                source_key TEXT NOT NULL UNIQUE,
                source TEXT NOT NULL,
                kind TEXT NOT NULL,
                run_id BIGINT,
                subscriber_id BIGINT,
                edition TEXT,
                reason TEXT,
                effect TEXT NOT NULL,
                counted BIGINT NOT NULL,
                received_at TEXT NOT NULL
            );
            CREATE INDEX ix_feedback_events_run ON feedback_events (run_id, kind);
            CREATE INDEX ix_feedback_events_subscriber ON feedback_events (subscriber_id, kind, received_at);
            """),
        new(10, "the editor's note for each edition's next run, and the note frozen into each run", """
            CREATE TABLE edition_notes (
                edition TEXT PRIMARY KEY,
                note TEXT NOT NULL,
                updated_at TEXT NOT NULL,
                updated_by TEXT NOT NULL
            );
            ALTER TABLE runs ADD COLUMN note TEXT;
            """),
        new(11, "a run's audience frozen in chunks: the last subscriber frozen so far, NULL once the whole audience is", """
            ALTER TABLE runs ADD COLUMN freeze_after BIGINT;
            """),
        new(12, "the picture an article may carry (its address and alt text), shown in the digest's HTML", """
            ALTER TABLE articles ADD COLUMN image_url TEXT;
            ALTER TABLE articles ADD COLUMN image_alt TEXT;
            """),
        new(13, "runs held for an editor's approval: until when, what then, who decided, when editors were told", """
            ALTER TABLE runs ADD COLUMN review_until TEXT;
            ALTER TABLE runs ADD COLUMN review_then TEXT;
            ALTER TABLE runs ADD COLUMN reviewed_by TEXT;
            ALTER TABLE runs ADD COLUMN reviewed_at TEXT;
            ALTER TABLE runs ADD COLUMN review_notified_at TEXT;
            """),
        new(14, "topics: each article's and each reader's choice (NULL: everything), both frozen into each run", """
            ALTER TABLE articles ADD COLUMN topics TEXT NOT NULL DEFAULT '[]';
            ALTER TABLE subscribers ADD COLUMN topics TEXT;
            ALTER TABLE run_articles ADD COLUMN topics TEXT;
            ALTER TABLE deliveries ADD COLUMN topics TEXT;
            """),
    ];
}
