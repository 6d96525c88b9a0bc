package io.muster.check;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Decides whether a history of register operations is linearizable: whether each key's operations can
 * be put in one order, consistent with real time (an operation that completed before another was
 * invoked comes first), in which every operation's answer is what a single register would have given.
 *
 * <p>Keys are independent registers, so each is checked alone. The search is Wing and Gong's: take, as
 * the next operation, any pending one invoked before every pending operation's deadline; with Lowe's
 * memoisation of the (linearized set, register value) pairs already explored, so a history is visited
 * at most once per reachable state. Failed operations never happened. Unknown ones may have happened
 * at any point after their invocation, or never; the search may leave them out.
 */
public final class LinearizabilityChecker {

    /** Stops the search of one key after this many states: a history so concurrent is reported, not decided. */
    private static final int MAX_STATES = 2_000_000;

    private LinearizabilityChecker() {
    }

    /** The verdict on a whole history: the keys that are not linearizable, with why. */
    public record Verdict(int keys, int operations, Map<String, String> violations, List<String> undecided) {

        public boolean linearizable() {
            return violations.isEmpty() && undecided.isEmpty();
        }
    }

    public static Verdict check(List<Operation> history) {
        Map<String, List<Operation>> byKey = new LinkedHashMap<>();
        for (Operation operation : history) {
            if (operation.outcome() != Operation.Outcome.FAIL) {
                byKey.computeIfAbsent(operation.key(), key -> new ArrayList<>()).add(operation);
            }
        }
        Map<String, String> violations = new LinkedHashMap<>();
        List<String> undecided = new ArrayList<>();
        int operations = 0;
        for (Map.Entry<String, List<Operation>> key : byKey.entrySet()) {
            operations += key.getValue().size();
            Search search = new Search(key.getValue());
            Boolean ok = search.run();
            if (ok == null) {
                undecided.add(key.getKey());
            } else if (!ok) {
                violations.put(key.getKey(), search.explanation());
            }
        }
        return new Verdict(byKey.size(), operations, violations, undecided);
    }

    /** The search over one key's operations. */
    private static final class Search {
        private final List<Operation> operations;
        private final Set<State> explored = new HashSet<>();
        private final BitSet required = new BitSet();
        private int deepest;
        private BitSet deepestDone = new BitSet();

        Search(List<Operation> operations) {
            this.operations = new ArrayList<>(operations);
            this.operations.sort(Comparator.comparingLong(Operation::invokedAt));
            for (int i = 0; i < this.operations.size(); i++) {
                if (this.operations.get(i).outcome() == Operation.Outcome.OK) {
                    required.set(i);
                }
            }
        }

        /** {@code true}: linearizable; {@code false}: not; {@code null}: gave up. */
        Boolean run() {
            try {
                return explore(new BitSet(), null);
            } catch (GaveUp e) {
                return null;
            }
        }

        private boolean explore(BitSet done, String register) {
            BitSet missing = (BitSet) required.clone();
            missing.andNot(done);
            if (missing.isEmpty()) {
                return true;
            }
            if (!explored.add(new State((BitSet) done.clone(), register))) {
                return false;
            }
            if (explored.size() > MAX_STATES) {
                throw new GaveUp();
            }
            if (done.cardinality() > deepest) {
                deepest = done.cardinality();
                deepestDone = (BitSet) done.clone();
            }
            // Every pending operation must take effect before the earliest pending deadline.
            long horizon = Long.MAX_VALUE;
            for (int i = done.nextClearBit(0); i < operations.size(); i = done.nextClearBit(i + 1)) {
                horizon = Math.min(horizon, operations.get(i).deadline());
            }
            for (int i = done.nextClearBit(0); i < operations.size(); i = done.nextClearBit(i + 1)) {
                Operation candidate = operations.get(i);
                if (candidate.invokedAt() > horizon) {
                    break;
                }
                Step step = apply(candidate, register);
                if (step.consistent()) {
                    done.set(i);
                    boolean found = explore(done, step.register());
                    done.clear(i);
                    if (found) {
                        return true;
                    }
                }
            }
            return false;
        }

        /** What a register holding {@code register} does with {@code operation}. */
        private static Step apply(Operation operation, String register) {
            return switch (operation.kind()) {
                case READ -> new Step(Objects.equals(operation.value(), register), register);
                case WRITE -> new Step(true, operation.value());
                case DELETE -> new Step(true, null);
                case CAS -> {
                    boolean matches = Objects.equals(operation.expected(), register);
                    if (operation.outcome() == Operation.Outcome.UNKNOWN) {
                        yield new Step(true, matches ? operation.value() : register);
                    }
                    yield operation.casFailed() ? new Step(!matches, register) : new Step(matches, operation.value());
                }
            };
        }

        String explanation() {
            List<String> linearized = new ArrayList<>();
            List<String> stuck = new ArrayList<>();
            for (int i = 0; i < operations.size(); i++) {
                (deepestDone.get(i) ? linearized : stuck).add(operations.get(i).toString());
            }
            return "no order explains the history; the longest explained prefix had " + linearized.size()
                    + " operations, and none of these could come next: " + stuck.subList(0, Math.min(5, stuck.size()));
        }

        private record State(BitSet done, String register) {
        }

        private record Step(boolean consistent, String register) {
        }

        private static final class GaveUp extends RuntimeException {
            GaveUp() {
                super(null, null, false, false);
            }
        }
    }
}
