package io.muster.view;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Proves which statements the first line of defence lets through to H2 and which it refuses. */
class SqlGuardTest {

    @ParameterizedTest
    @ValueSource(strings = {
            "SELECT * FROM entries",
            "select entry_key from entries where entry_key like 'a%' order by 1;",
            "WITH recent AS (SELECT * FROM entries WHERE mod_revision > ?) SELECT COUNT(*) FROM recent",
            "SELECT 'insert; drop table entries' AS text FROM view_status",
            "SELECT \"ENTRY_KEY\" FROM entries -- update everything\n",
            "SELECT /* delete */ entry_key FROM entry_history",
            "SELECT SUBSTRING(entry_key FROM 1 FOR 3) FROM entries",
            "SELECT x FROM (VALUES (1), (2)) AS t(x)"})
    void readOnlyQueriesPass(String sql) {
        assertThat(SqlGuard.problem(sql)).isNull();
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
        assertThat(SqlGuard.problem(sql)).isNotNull();
    }

    @Test
    void overLongStatementsAreRefused() {
        String sql = "SELECT 1 FROM entries WHERE entry_key = '" + "x".repeat(SqlGuard.MAX_LENGTH) + "'";
        assertThat(SqlGuard.problem(sql)).contains("longer than");
    }
}
