package io.muster.kv;

import io.muster.springconfig.ConfigDocuments;
import io.muster.web.RequestParameters;
import io.muster.core.Command;
import io.muster.core.CommandCodec;
import io.muster.core.CommandRules;
import io.muster.core.Compare;
import io.muster.core.Keys;
import io.muster.core.Op;
import io.muster.web.ProblemException;
import io.muster.web.ProblemType;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.springframework.stereotype.Component;

/**
 * Checks a {@link TxnRequest} completely and turns it into a {@link Command.Txn}, or answers a problem
 * naming the field that was wrong. Thread-safe: immutable.
 */
@Component
class TxnCommands {

    static final String TEXT_CONTENT_TYPE = "text/plain;charset=UTF-8";

    private final RequestParameters requests;
    private final ConfigDocuments documents;

    TxnCommands(RequestParameters requests, ConfigDocuments documents) {
        this.requests = requests;
        this.documents = documents;
    }

    Command.Txn toCommand(TxnRequest request) {
        if (request == null) {
            throw invalid("", "the request body must be a JSON object");
        }
        List<TxnRequest.CompareRequest> compares = orEmpty(request.compare());
        List<TxnRequest.OpRequest> then = orEmpty(request.then());
        List<TxnRequest.OpRequest> otherwise = orEmpty(request.otherwise());
        int size = compares.size() + then.size() + otherwise.size();
        int maxOps = requests.limits().maxTxnOps();
        if (size > maxOps) {
            throw new ProblemException(ProblemType.TXN_TOO_LARGE, "the transaction has " + size
                    + " compares and operations; muster.limits.max-txn-ops is " + maxOps)
                    .with("field", "compare+then+else").with("maxTxnOps", maxOps);
        }
        List<Compare> checkedCompares = new ArrayList<>(compares.size());
        for (int i = 0; i < compares.size(); i++) {
            checkedCompares.add(compare("compare[" + i + "]", compares.get(i)));
        }
        Command.Txn txn = new Command.Txn(checkedCompares, ops("then", then), ops("else", otherwise));
        String problem = CommandRules.problem(txn);
        if (problem != null) {
            throw invalid("", problem);
        }
        int encoded = CommandCodec.encodeCommand(txn).length;
        if (encoded > requests.limits().maxCommandBytes()) {
            throw new ProblemException(ProblemType.VALUE_TOO_LARGE, "the transaction encodes to " + encoded
                    + " bytes; the limit is " + requests.limits().maxCommandBytes()
                    + " (muster.limits.max-value-bytes plus 64 KiB)");
        }
        return txn;
    }

    private Compare compare(String field, TxnRequest.CompareRequest compare) {
        if (compare == null) {
            throw invalid(field, "must be an object");
        }
        String key = key(field, compare.key());
        if (compare.target() == null) {
            throw invalid(field + ".target", "is required: modRevision, createRevision, version, exists or value");
        }
        Compare.Operator operator = compare.operator() == null ? Compare.Operator.EQUAL
                : Compare.Operator.valueOf(compare.operator().name());
        return switch (compare.target()) {
            case MOD_REVISION, CREATE_REVISION, VERSION -> {
                if (compare.number() == null || compare.number() < 0) {
                    throw invalid(field + ".number", "is required for " + compare.target() + " and must not be negative");
                }
                yield Compare.number(key, Compare.Target.valueOf(compare.target().name()), operator, compare.number());
            }
            case EXISTS -> {
                if (compare.exists() == null) {
                    throw invalid(field + ".exists", "is required for an exists compare (true or false)");
                }
                if (operator != Compare.Operator.EQUAL && operator != Compare.Operator.NOT_EQUAL) {
                    throw invalid(field + ".operator", "an exists compare takes equal or notEqual");
                }
                boolean exists = operator == Compare.Operator.EQUAL ? compare.exists() : !compare.exists();
                yield Compare.exists(key, exists);
            }
            case VALUE -> Compare.value(key, operator, bytes(field, compare.value(), compare.valueBase64()));
        };
    }

    private List<Op> ops(String branch, List<TxnRequest.OpRequest> requested) {
        List<Op> ops = new ArrayList<>(requested.size());
        for (int i = 0; i < requested.size(); i++) {
            String field = branch + "[" + i + "]";
            TxnRequest.OpRequest op = requested.get(i);
            if (op == null || op.op() == null) {
                throw invalid(field + ".op", "is required: put, delete or get");
            }
            String key = key(field, op.key());
            ops.add(switch (op.op()) {
                case PUT -> put(field, key, op);
                case DELETE -> new Op.Delete(key);
                case GET -> new Op.Get(key);
            });
        }
        return ops;
    }

    private Op.Put put(String field, String key, TxnRequest.OpRequest op) {
        byte[] value = bytes(field, op.value(), op.valueBase64());
        if (value.length > requests.limits().maxValueBytes().toBytes()) {
            throw requests.tooLarge(value.length, requests.limits().maxValueBytes().toBytes()).with("field", field);
        }
        String contentType = op.contentType() != null ? RequestParameters.contentType(op.contentType())
                : op.value() != null ? TEXT_CONTENT_TYPE : RequestParameters.DEFAULT_CONTENT_TYPE;
        if (op.lease() != null && op.lease() <= 0) {
            throw invalid(field + ".lease", "lease must be a lease id (positive), not " + op.lease());
        }
        try {
            documents.check(key, contentType, value);
        } catch (ProblemException e) {
            throw e.with("field", field);
        }
        return new Op.Put(key, value, contentType, op.lease() == null ? 0 : op.lease());
    }

    private static byte[] bytes(String field, String text, String base64) {
        if ((text == null) == (base64 == null)) {
            throw invalid(field + ".value", "give exactly one of value and valueBase64");
        }
        if (text != null) {
            return text.getBytes(StandardCharsets.UTF_8);
        }
        try {
            return Base64.getDecoder().decode(base64);
        } catch (IllegalArgumentException e) {
            throw invalid(field + ".valueBase64", "is not base64: " + e.getMessage());
        }
    }

    private static String key(String field, String key) {
        String problem = Keys.problem(key);
        if (problem != null) {
            throw new ProblemException(ProblemType.INVALID_KEY, field + ".key: " + problem).with("field", field + ".key");
        }
        return key;
    }

    private static <T> List<T> orEmpty(List<T> list) {
        return list == null ? List.of() : list;
    }

    private static ProblemException invalid(String field, String detail) {
        ProblemException problem = new ProblemException(ProblemType.INVALID_REQUEST,
                field.isEmpty() ? detail : field + " " + detail);
        return field.isEmpty() ? problem : problem.with("field", field);
    }
}
