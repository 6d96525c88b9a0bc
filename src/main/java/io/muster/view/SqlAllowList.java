package io.muster.view;

import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * What an operator's query may name: the view's tables and their columns (as {@code schema.sql}
 * creates them; {@code ViewDatabaseTest} fails when the two part), the words of a {@code SELECT}, the
 * functions whose cost is linear in values the view bounds, and the types a {@code CAST} may produce.
 * Anything not here is refused by {@link SqlGuard}. Upper case, as H2 folds unquoted names.
 */
final class SqlAllowList {

    private SqlAllowList() {
    }

    /** Each table (and the {@code services} view) the query user may read, with its columns. */
    static final Map<String, Set<String>> TABLES = Map.ofEntries(
            Map.entry("ENTRIES", Set.of("ENTRY_KEY", "VALUE_BYTES", "CONTENT_TYPE", "CREATE_REVISION", "MOD_REVISION",
                    "VERSION", "MODIFIED_AT_MILLIS", "MODIFIED_AT", "LEASE_ID")),
            Map.entry("ENTRY_HISTORY", Set.of("ENTRY_KEY", "MOD_REVISION", "VERSION", "VALUE_BYTES", "CONTENT_TYPE",
                    "MODIFIED_AT_MILLIS", "MODIFIED_AT", "MODIFIED_BY")),
            Map.entry("LEASES", Set.of("LEASE_ID", "TTL_MILLIS", "GRANTED_AT_MILLIS", "GRANTED_AT")),
            Map.entry("INSTANCES", Set.of("SERVICE", "INSTANCE_ID", "ADDRESS", "PORT", "ZONE", "STATUS", "LEASE_ID",
                    "CREATE_REVISION", "MOD_REVISION", "MODIFIED_AT_MILLIS", "MODIFIED_AT")),
            Map.entry("INSTANCE_TAGS", Set.of("SERVICE", "INSTANCE_ID", "POSITION", "TAG")),
            Map.entry("INSTANCE_METADATA", Set.of("SERVICE", "INSTANCE_ID", "META_KEY", "META_VALUE")),
            Map.entry("SERVICES", Set.of("SERVICE", "INSTANCES", "UP", "DOWN", "STARTING", "OUT_OF_SERVICE")),
            Map.entry("LOCKS", Set.of("LOCK_NAME", "HOLDER", "LEASE_ID", "FENCING_TOKEN", "WAITERS")),
            Map.entry("LOCK_WAITERS", Set.of("LOCK_NAME", "POSITION", "HOLDER", "LEASE_ID", "SINCE_REVISION")),
            Map.entry("TOKENS", Set.of("TOKEN_NAME", "ROLE", "PREFIXES", "SERVICE_SCOPES", "CREATE_REVISION",
                    "CREATED_AT_MILLIS", "CREATED_AT")),
            Map.entry("AUDIT", Set.of("REVISION", "AT_MILLIS", "AT", "PRINCIPAL", "REQUEST_ID", "ACTION", "TARGET",
                    "OUTCOME")),
            Map.entry("CONFIG_RELEASE", Set.of("RELEASE_ID", "TITLE", "STATE", "AUTHOR", "CREATED_AT_MILLIS",
                    "CREATED_AT", "GRAY_RULE", "VALIDATION_STATUS", "PUBLISHED_REVISION", "PUBLISHED_BY",
                    "PUBLISHED_AT", "ROLLBACK_OF", "RESTORE_OF", "REVISION")),
            Map.entry("CONFIG_RELEASE_DOCUMENT", Set.of("RELEASE_ID", "POSITION", "DOC_KEY", "APP", "PROFILE",
                    "CONTENT_TYPE", "DELETES", "VALUE_BYTES", "BASE_MOD_REVISION")),
            Map.entry("VIEW_STATUS", Set.of("ID", "REVISION", "REBUILT_AT_REVISION")));

    /** Every column of every table. */
    static final Set<String> COLUMNS = columns();

    /**
     * The words of a {@code SELECT}: clauses, joins, set operations, predicates, {@code CASE}, window
     * frames, date and interval literals. Not {@code RECURSIVE}, not {@code FOR} outside
     * {@code SUBSTRING} (so no {@code FOR UPDATE}), nothing that writes, sets or calls.
     */
    static final Set<String> KEYWORDS = Set.of("SELECT", "DISTINCT", "ALL", "AS", "FROM", "WHERE", "GROUP", "BY",
            "HAVING", "ORDER", "ASC", "DESC", "NULLS", "FIRST", "LAST", "LIMIT", "OFFSET", "FETCH", "NEXT", "ROW",
            "ROWS", "ONLY", "TIES", "PERCENT", "WITH", "JOIN", "INNER", "LEFT", "RIGHT", "FULL", "OUTER", "CROSS",
            "NATURAL", "ON", "USING", "AND", "OR", "NOT", "IN", "IS", "NULL", "TRUE", "FALSE", "UNKNOWN", "LIKE",
            "ILIKE", "ESCAPE", "BETWEEN", "SYMMETRIC", "ASYMMETRIC", "EXISTS", "ANY", "SOME", "CASE", "WHEN",
            "THEN", "ELSE", "END", "UNION", "INTERSECT", "EXCEPT", "MINUS", "VALUES", "OVER", "PARTITION", "FILTER",
            "RANGE", "GROUPS", "PRECEDING", "FOLLOWING", "UNBOUNDED", "CURRENT", "EXCLUDE", "OTHERS", "NO", "DATE",
            "TIME", "TIMESTAMP", "ZONE", "AT", "LOCAL", "INTERVAL", "YEAR", "MONTH", "DAY", "HOUR", "MINUTE",
            "SECOND", "TO", "CURRENT_DATE", "CURRENT_TIME", "CURRENT_TIMESTAMP", "LOCALTIME", "LOCALTIMESTAMP",
            "FOR", "BOTH", "LEADING", "TRAILING", "CAST");

    /**
     * Functions whose cost is linear in their arguments, which the view and this guard bound: aggregates,
     * ranking windows, null handling, text that does not grow, numbers and dates. Not REPEAT, SPACE,
     * LPAD/RPAD, REPLACE, REGEXP_*, HASH, ENCRYPT, COMPRESS, ARRAY_AGG/LISTAGG, table functions, nor
     * anything that reads files, the session or the database.
     */
    static final Set<String> FUNCTIONS = Set.of(
            "COUNT", "SUM", "AVG", "MIN", "MAX", "EVERY", "BOOL_AND", "BOOL_OR", "ANY_VALUE", "STDDEV_POP",
            "STDDEV_SAMP", "VAR_POP", "VAR_SAMP",
            "ROW_NUMBER", "RANK", "DENSE_RANK", "LAG", "LEAD", "FIRST_VALUE", "LAST_VALUE",
            "COALESCE", "NULLIF", "IFNULL", "GREATEST", "LEAST",
            "LOWER", "UPPER", "LCASE", "UCASE", "LENGTH", "CHAR_LENGTH", "CHARACTER_LENGTH", "OCTET_LENGTH",
            "SUBSTRING", "SUBSTR", "LEFT", "RIGHT", "TRIM", "LTRIM", "RTRIM", "LOCATE", "POSITION", "INSTR", "CONCAT",
            "CONCAT_WS", "ASCII", "CHAR", "CHR", "UTF8TOSTRING",
            "ABS", "CEIL", "CEILING", "FLOOR", "ROUND", "TRUNC", "MOD", "SIGN", "SQRT", "POWER", "EXP", "LN", "LOG",
            "LOG10",
            "EXTRACT", "DATEADD", "DATEDIFF", "DATE_TRUNC", "TIMESTAMPADD", "TIMESTAMPDIFF", "YEAR", "MONTH", "DAY",
            "DAY_OF_MONTH", "DAY_OF_WEEK", "DAY_OF_YEAR", "DAYOFMONTH", "DAYOFWEEK", "DAYOFYEAR", "HOUR", "MINUTE",
            "SECOND", "WEEK", "QUARTER", "CURRENT_DATE", "CURRENT_TIME", "CURRENT_TIMESTAMP", "LOCALTIME",
            "LOCALTIMESTAMP");

    /** Functions that join text: each argument after the first counts as one concatenation. */
    static final Set<String> CONCATENATIONS = Set.of("CONCAT", "CONCAT_WS");

    /** Functions whose arguments may be separated by {@code FROM} (and {@code FOR}, {@code SUBSTRING} only). */
    static final Set<String> FROM_IN_ARGUMENTS = Set.of("SUBSTRING", "TRIM", "EXTRACT");

    /**
     * The words a {@code CAST} target may be made of: ordinary types, never JAVA_OBJECT, OTHER or arrays,
     * nor DECFLOAT (whose arithmetic on text such as {@code '1e600000000'} builds every digit).
     * {@link SqlBounds} bounds their sizes: H2 pads a CHAR(n) or BINARY(n) value to n.
     */
    static final Set<String> TYPES = Set.of("VARCHAR", "CHAR", "CHARACTER", "VARYING", "VARCHAR_IGNORECASE", "INT",
            "INTEGER", "BIGINT", "SMALLINT", "TINYINT", "DECIMAL", "NUMERIC", "REAL", "DOUBLE",
            "PRECISION", "FLOAT", "BOOLEAN", "DATE", "TIME", "TIMESTAMP", "WITH", "WITHOUT", "ZONE", "VARBINARY",
            "BINARY", "UUID");

    private static Set<String> columns() {
        Set<String> columns = new TreeSet<>();
        TABLES.values().forEach(columns::addAll);
        return Set.copyOf(columns);
    }
}
