package io.muster.view;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;

/**
 * Runs operators' SQL: {@link SqlGuard} checks it, then it runs as the H2 user that may only read the
 * view's tables, in one snapshot transaction ({@link View#ONE_SNAPSHOT}), within the {@link QueryBudget}
 * (how many at once, how much memory each may allocate), with a timeout and a row cap. A database that
 * turns out broken is reported to the {@link ViewStatus}.
 *
 * <p>Thread-safe: each query takes its own connection.
 */
final class QueryRunner implements AutoCloseable {

    private final ViewStatus status;
    private final QueryBudget queryBudget;

    QueryRunner(ViewStatus status, QueryBudget queryBudget) {
        this.status = status;
        this.queryBudget = queryBudget;
    }

    /**
     * Runs an operator's read-only query (checked by {@link SqlGuard}, then run as a user that may only
     * read the view's tables) in one snapshot transaction, with a timeout and a row cap.
     *
     * @throws QueryException saying why it did not run to completion
     */
    View.QueryResult query(String sql, List<Object> parameters, int maxRows, Duration timeout) {
        SqlGuard.Verdict verdict = SqlGuard.check(sql);
        String problem = verdict.problem() != null ? verdict.problem() : SqlGuard.parameterProblem(verdict, parameters);
        if (problem != null) {
            throw new QueryException(QueryException.Kind.NOT_ALLOWED, problem);
        }
        ViewDatabase current = status.available();
        try (QueryBudget.Running budget = queryBudget.start(); Connection connection = current.reader()) {
            connection.setReadOnly(true);
            connection.setTransactionIsolation(View.ONE_SNAPSHOT);
            connection.setAutoCommit(false);
            try (PreparedStatement statement = connection.prepareStatement(sql)) {
                long revision = ViewReads.viewRevision(connection);
                if (statement.getParameterMetaData().getParameterCount() != parameters.size()) {
                    throw new QueryException(QueryException.Kind.INVALID, "the query has "
                            + statement.getParameterMetaData().getParameterCount() + " parameter(s) but "
                            + parameters.size() + " were given");
                }
                for (int i = 0; i < parameters.size(); i++) {
                    statement.setObject(i + 1, parameters.get(i));
                }
                statement.setQueryTimeout((int) Math.max(1, (timeout.toMillis() + 999) / 1000));
                statement.setMaxRows(maxRows + 1);
                budget.watch(statement);
                return QueryResults.read(statement, maxRows, revision);
            } catch (SQLException e) {
                if (budget.overBudget()) {
                    throw new QueryException(QueryException.Kind.TOO_COSTLY, "the query allocated more than "
                            + queryBudget.maxAllocatedBytes() / (1024 * 1024) + " MB and was cancelled "
                            + "(muster.view.query-max-allocation); select from fewer rows, or group them less finely");
                }
                throw e;
            } finally {
                connection.rollback();
            }
        } catch (SQLException e) {
            if (ViewDatabase.broken(e) && !current.alive()) {
                status.reportFailure(current, e.getMessage());
                throw new QueryException(QueryException.Kind.FAILED, "the query failed with the view's database ("
                        + e.getErrorCode() + "); the view is being rebuilt, retry shortly");
            }
            throw QueryResults.translate(e);
        }
    }

    @Override
    public void close() {
        queryBudget.close();
    }
}
