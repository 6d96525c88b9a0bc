package io.muster.view;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import org.h2.api.ErrorCode;
import org.junit.jupiter.api.Test;

/**
 * The query budget bounds what the allow-list and the timeout do not: a query whose thread allocates
 * past the budget is cancelled by the checker long before its timeout, a cheap one runs to the end, and
 * queries beyond the node's slots are refused rather than queued.
 */
class QueryBudgetTest {

    /** Every pair of 3,000 numbers grouped by a distinct text: H2 holds millions of groups on the heap. */
    private static final String GREEDY = "SELECT COUNT(*) FROM (SELECT a.x || '-' || b.x AS k, COUNT(*) "
            + "FROM SYSTEM_RANGE(1, 3000) a(x), SYSTEM_RANGE(1, 3000) b(x) GROUP BY k)";

    @Test
    void aQueryThatAllocatesPastTheBudgetIsCancelledBeforeItsTimeout() throws SQLException {
        try (QueryBudget budget = new QueryBudget(2, 16L * 1024 * 1024);
                Connection connection = DriverManager.getConnection("jdbc:h2:mem:budget-greedy");
                QueryBudget.Running running = budget.start();
                PreparedStatement statement = connection.prepareStatement(GREEDY)) {
            statement.setQueryTimeout(60);
            running.watch(statement);
            assertThatThrownBy(() -> {
                try (ResultSet rows = statement.executeQuery()) {
                    rows.next();
                }
            }).isInstanceOfSatisfying(SQLException.class,
                    e -> assertThat(e.getErrorCode()).isEqualTo(ErrorCode.STATEMENT_WAS_CANCELED));
            assertThat(running.overBudget()).as("cancelled by the budget, not by its 60 s timeout").isTrue();
        }
    }

    @Test
    void aCheapQueryRunsToItsEnd() throws SQLException {
        try (QueryBudget budget = new QueryBudget(2, 16L * 1024 * 1024);
                Connection connection = DriverManager.getConnection("jdbc:h2:mem:budget-cheap");
                QueryBudget.Running running = budget.start();
                PreparedStatement statement = connection.prepareStatement("SELECT SUM(x) FROM SYSTEM_RANGE(1, 1000)")) {
            running.watch(statement);
            try (ResultSet rows = statement.executeQuery()) {
                assertThat(rows.next()).isTrue();
                assertThat(rows.getLong(1)).isEqualTo(500_500L);
            }
            assertThat(running.overBudget()).isFalse();
        }
    }

    @Test
    void queriesBeyondTheSlotsAreRefusedAndASlotIsGivenBackWhenAQueryEnds() {
        try (QueryBudget budget = new QueryBudget(1, 16L * 1024 * 1024)) {
            QueryBudget.Running first = budget.start();
            assertThatThrownBy(budget::start).isInstanceOfSatisfying(QueryException.class,
                    e -> assertThat(e.kind()).isEqualTo(QueryException.Kind.BUSY));
            first.close();
            first.close(); // a second close gives nothing back twice
            QueryBudget.Running second = budget.start();
            assertThatThrownBy(budget::start).isInstanceOf(QueryException.class);
            second.close();
        }
    }
}
