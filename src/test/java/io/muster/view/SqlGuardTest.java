package io.muster.view;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Proves which statements the first line of defence lets through to H2 and which it refuses: the
 * operators' queries over the view's tables pass; writes, other schemas (however they are quoted),
 * recursion, functions whose cost or memory the caller controls, Java objects and over-long literals are
 * refused by name; and no input, however long, overflows its stack.
 */
class SqlGuardTest {

    @ParameterizedTest
    @ValueSource(strings = {
            "SELECT * FROM entries",
            "select entry_key from entries where entry_key like 'a%' order by 1;",
            "WITH recent AS (SELECT * FROM entries WHERE mod_revision > ?) SELECT COUNT(*) FROM recent",
            "SELECT 'insert; drop table entries' AS text FROM view_status",
            "SELECT \"ENTRY_KEY\" FROM entries",
            "SELECT SUBSTRING(entry_key FROM 1 FOR 3) FROM entries",
            "SELECT x FROM (VALUES (1), (2)) AS t(x)",
            // The README's examples.
            "SELECT service, zone, COUNT(*) FROM instances WHERE status = 'UP' GROUP BY service, zone ORDER BY service, zone",
            "SELECT lease_id, COUNT(*) AS keys FROM entries WHERE lease_id <> 0 GROUP BY lease_id ORDER BY keys DESC",
            "SELECT entry_key, mod_revision, modified_at FROM entries WHERE entry_key LIKE ? ORDER BY mod_revision DESC",
            // Joins, aggregates, grouping, paging, parameters, dates, casts, windows, subqueries.
            "SELECT e.entry_key, h.version, h.modified_by FROM entries e JOIN entry_history h ON h.entry_key = e.entry_key "
                    + "WHERE e.lease_id = ? ORDER BY h.mod_revision DESC LIMIT 10 OFFSET 5",
            "SELECT i.service, i.instance_id, t.tag, m.meta_value FROM instances i LEFT JOIN instance_tags t "
                    + "ON t.service = i.service AND t.instance_id = i.instance_id LEFT OUTER JOIN instance_metadata m "
                    + "ON m.service = i.service AND m.instance_id = i.instance_id AND m.meta_key = 'version'",
            "SELECT principal, action, COUNT(*) AS n, MIN(at), MAX(at_millis) FROM audit WHERE at > "
                    + "CURRENT_TIMESTAMP - INTERVAL '1' DAY GROUP BY principal, action HAVING COUNT(*) > 1 ORDER BY n DESC",
            "SELECT entry_key, LENGTH(value_bytes) AS size, UPPER(content_type), COALESCE(NULLIF(content_type, ''), "
                    + "'none') FROM entries WHERE CAST(modified_at AS DATE) >= DATE '2024-01-01' FETCH FIRST 5 ROWS ONLY",
            "SELECT lock_name, holder, waiters FROM locks WHERE lock_name IN (SELECT lock_name FROM lock_waiters "
                    + "WHERE since_revision BETWEEN ? AND ?) AND holder IS NOT NULL",
            "SELECT service, up, down FROM services WHERE EXISTS (SELECT 1 FROM instances i WHERE i.service = "
                    + "services.service AND i.port > 1024)",
            "SELECT token_name, role, CASE WHEN prefixes = '' THEN 'all' ELSE prefixes END AS scope FROM tokens",
            "SELECT entry_key, ROW_NUMBER() OVER (PARTITION BY content_type ORDER BY mod_revision DESC) AS rank_in_type "
                    + "FROM entries",
            "SELECT EXTRACT(YEAR FROM granted_at), CAST(ttl_millis / 1000 AS INT) AS seconds, TRIM(BOTH ' ' FROM "
                    + "'x') FROM leases",
            "SELECT entry_key FROM entries WHERE UTF8TOSTRING(value_bytes) LIKE '%needle%' AND entry_key NOT LIKE 'tmp/%'",
            "SELECT service || '/' || instance_id AS name, address, port FROM instances ORDER BY name",
            "SELECT revision, rebuilt_at_revision FROM view_status",
            "SELECT COUNT(DISTINCT principal) FROM audit UNION ALL SELECT COUNT(*) FROM tokens",
            "SELECT 1.5, -2, 0.25, 1000 FROM view_status",
            "SELECT CAST(entry_key AS VARCHAR(512)), CAST(version AS DECIMAL(20, 2)) FROM entries",
            "SELECT cnt FROM (SELECT COUNT(*) cnt FROM entries) t",
            // The queries other tests send.
            "SELECT revision, action, target, outcome FROM audit WHERE revision > ? ORDER BY revision",
            "SELECT e.lease_id = l.lease_id FROM entries e JOIN leases l ON l.lease_id = e.lease_id "
                    + "WHERE e.entry_key = 'jobs/kept'",
            "SELECT l.holder, w.holder FROM locks l JOIN lock_waiters w ON w.lock_name = l.lock_name "
                    + "WHERE l.lock_name = 'elections/scheduler'",
            "SELECT s.instances, s.up, s.out_of_service, (SELECT COUNT(*) FROM instance_tags t WHERE t.service = "
                    + "s.service) FROM services s WHERE s.service = 'payments'",
            "SELECT entry_key, mod_revision FROM entry_history WHERE entry_key LIKE 'r/%' ORDER BY mod_revision",
            "SELECT revision, outcome FROM audit WHERE principal = 'racer' AND revision > 12 AND outcome = 'ok'",
            "SELECT * FROM tokens",
            "SELECT version FROM entries WHERE entry_key = 'ryw/key'",
            "SELECT 1"})
    void readOnlyQueriesOverTheViewPass(String sql) {
        assertThat(SqlGuard.problem(sql)).as(sql).isNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "DELETE FROM entries",
            "UPDATE entries SET version = 0",
            "INSERT INTO entries VALUES ('k')",
            "DROP TABLE entries",
            "CREATE TABLE x (a INT)",
            "CALL 1",
            "SCRIPT TO 'dump.sql'",
            "RUNSCRIPT FROM 'x.sql'",
            "SELECT 1; DROP TABLE entries",
            "SELECT * FROM entries; SELECT 1",
            "WITH x AS (DELETE FROM entries RETURNING *) SELECT * FROM x",
            "WITH x AS (SELECT 1) INSERT INTO entries SELECT * FROM x",
            "SELECT FILE_READ('/etc/passwd')",
            "SELECT * FROM CSVREAD('/etc/passwd')",
            "SELECT LINK_SCHEMA('x', '', 'jdbc:h2:mem:', '', '', 'PUBLIC')",
            "SELECT * FROM entries FOR UPDATE",
            "SET QUERY_TIMEOUT 0",
            "EXPLAIN SELECT * FROM entries",
            "TABLE entries",
            "SELECT $$text$$",
            "",
            "   "})
    void everythingElseIsRefused(String sql) {
        assertThat(SqlGuard.problem(sql)).as(sql).isNotNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {
            // Comments, where H2's reading and the guard's could differ: text hidden from one of them.
            "SELECT 1 // AS e(\n, REPEAT('x', 999999999) // )\nFROM entries",
            "SELECT 1 -- x\n, REPEAT('x', 9) FROM entries",
            "SELECT 1 /* x */, REPEAT('x', 9) FROM entries",
            "SELECT entry_key FROM entries // SUBSTRING(\n, information_schema.tables // )",
            // Column lists declare names and hold nothing else.
            "SELECT x FROM (VALUES (1)) AS t(x, REPEAT('x', 999999999))",
            "WITH c(a, (SELECT 1)) AS (SELECT 1, 2) SELECT a FROM c",
            // Deserialization (issue 18, must-fix 2), whatever the spelling.
            "SELECT CAST(X'ACED0005737200' AS JAVA_OBJECT)",
            "SELECT CAST(X'ACED0005737200' AS OTHER)",
            "SELECT CAST(X'ACED0005737200' AS \"JAVA_OBJECT\")",
            "SELECT CAST(? AS JAVA_OBJECT)",
            "SELECT CONVERT(X'ACED0005737200', JAVA_OBJECT)",
            "SELECT X'ACED0005737200'::JAVA_OBJECT",
            "SELECT CAST(CAST(X'ACED' AS VARBINARY) AS OBJECT)",
            // Memory (must-fix 3).
            "WITH RECURSIVE r(n,s) AS (SELECT 1, REPEAT('x',100000) UNION ALL SELECT n+1, s || n FROM r WHERE n<100000) "
                    + "SELECT COUNT(*) FROM r",
            "SELECT REPEAT('x', 2000000000)",
            "SELECT LENGTH(REPEAT(REPEAT('x', 1000000), 1000))",
            "SELECT SPACE(1000000000)",
            "SELECT LPAD('x', 1000000000, 'y')",
            "SELECT RPAD('x', 1000000000)",
            "SELECT COUNT(*) FROM SYSTEM_RANGE(1, 1000000000)",
            "SELECT * FROM TABLE(x INT = (1, 2))",
            "SELECT * FROM GENERATE_SERIES(1, 1000000000)",
            "SELECT ARRAY_AGG(entry_key) FROM entries",
            "SELECT LISTAGG(entry_key) FROM entries",
            "SELECT 1e999999999 + 1",
            "SELECT 1e3 + '1e600000000'",
            "SELECT '1e20000000' * 1.0",
            "SELECT CAST('1e600000000' AS DECFLOAT) + 1",
            "SELECT CAST('x' AS CHAR(1000000000))",
            "SELECT CAST(X'00' AS BINARY(1000000000))",
            "SELECT CAST(1 AS NUMERIC(100000, 99999))",
            "SELECT * FROM entries WHERE 1 IN (TABLE information_schema.tables)",
            "SELECT 1 AS \"TABLE\", 2 AS information_schema, 3 AS tables FROM entries WHERE 1 IN "
                    + "(TABLE information_schema.tables)",
            "SELECT CURRENT_USER",
            "SELECT ARRAY[1, 2]",
            "SELECT a || a || a || a || a || a FROM (SELECT UTF8TOSTRING(value_bytes) AS a FROM entries) t",
            "SELECT COUNT(*) FROM entries a, entries b, entries c, entries d, entries e",
            // CPU (must-fix 4).
            "SELECT REGEXP_LIKE(REPEAT('x',28)||'!', '((x+)+)\\2y')",
            "SELECT REGEXP_REPLACE(entry_key, '(a+)+$', 'x') FROM entries",
            "SELECT HASH('SHA256', 'a', 60000000)",
            "SELECT ENCRYPT('AES', X'00', X'00')",
            "SELECT COMPRESS(value_bytes) FROM entries",
            "SELECT entry_key FROM entries WHERE UTF8TOSTRING(value_bytes) LIKE '%a%a%a%a%a%b'",
            "SELECT entry_key FROM entries WHERE entry_key LIKE UTF8TOSTRING(value_bytes)",
            "SELECT entry_key FROM entries WHERE entry_key LIKE '%' || entry_key",
            // Other schemas and H2's own objects, however quoted or qualified.
            "SELECT * FROM \"INFORMATION_SCHEMA\".\"TABLES\"",
            "SELECT * FROM INFORMATION_SCHEMA.USERS",
            "SELECT * FROM information_schema.settings",
            "SELECT * FROM PUBLIC.entries",
            "SELECT * FROM entries, (INFORMATION_SCHEMA.TABLES)",
            "SELECT * FROM \"TABLES\"",
            "SELECT * FROM entries WHERE entry_key IN (SELECT table_name FROM \"INFORMATION_SCHEMA\".\"COLUMNS\")",
            "SELECT e.entry_key FROM PUBLIC.entries.entry_key e",
            "SELECT DATABASE_PATH()",
            "SELECT SESSION_ID()",
            "SELECT NEXT VALUE FOR seq",
            "SELECT 1 AS \"UPDATE\" FROM entries FOR UPDATE",
            "SELECT @x",
            "SELECT {fn NOW()}",
            "SELECT `entry_key` FROM entries"})
    void hostileStatementsAreRefusedByName(String sql) {
        assertThat(SqlGuard.problem(sql)).as(sql).isNotNull();
    }

    @Test
    void refusalsNameWhatWasRefused() {
        assertThat(SqlGuard.problem("SELECT REPEAT('x', 2)")).contains("REPEAT");
        assertThat(SqlGuard.problem("SELECT CAST(X'AC' AS JAVA_OBJECT)")).contains("JAVA_OBJECT");
        assertThat(SqlGuard.problem("WITH RECURSIVE r(n) AS (SELECT 1) SELECT * FROM r")).contains("RECURSIVE");
        assertThat(SqlGuard.problem("SELECT * FROM \"INFORMATION_SCHEMA\".\"TABLES\"")).contains("INFORMATION_SCHEMA");
        assertThat(SqlGuard.problem("SELECT * FROM entries WHERE entry_key LIKE '%a%b%c'")).contains("LIKE");
    }

    @Test
    void longLiteralsAreRefusedWithoutOverflowingTheStack() {
        String literal = "SELECT 1 FROM entries WHERE entry_key = '" + "x".repeat(2000) + "'";
        assertThatCode(() -> SqlGuard.problem(literal)).doesNotThrowAnyException();
        assertThat(SqlGuard.problem(literal)).contains("literal");
        String comment = "SELECT 1 FROM entries /*" + "x".repeat(4000) + "*/";
        assertThatCode(() -> SqlGuard.problem(comment)).doesNotThrowAnyException();
        assertThat(SqlGuard.problem(comment)).contains("comments are not allowed");
        String huge = "SELECT '" + "x".repeat(100_000) + "'";
        assertThatCode(() -> SqlGuard.problem(huge)).doesNotThrowAnyException();
        assertThat(SqlGuard.problem(huge)).contains("longer than");
    }

    @Test
    void overLongStatementsAreRefused() {
        String sql = "SELECT 1 FROM entries WHERE entry_key = '" + "x".repeat(SqlGuard.MAX_LENGTH) + "'";
        assertThat(SqlGuard.problem(sql)).contains("longer than");
    }

    @Test
    void parametersUsedAsLikePatternsAreCheckedLikeLiterals() {
        SqlGuard.Verdict verdict = SqlGuard.check("SELECT * FROM entries WHERE entry_key LIKE ? AND content_type = ?");
        assertThat(verdict.problem()).isNull();
        assertThat(SqlGuard.parameterProblem(verdict, List.of("app/%", "%a%b%c"))).isNull();
        assertThat(SqlGuard.parameterProblem(verdict, List.of("%a%b%c", "text/plain"))).contains("params[0]");
        assertThat(SqlGuard.parameterProblem(verdict, List.of("%needle%", "x".repeat(2000)))).contains("params[1]");
        assertThat(SqlGuard.parameterProblem(verdict, List.of("a%", "1e20000000"))).contains("params[1]");
        assertThat(SqlGuard.parameterProblem(verdict, List.of("a%", "version 1e3 of 2.5E10"))).isNull();
    }
}
