package dev.portcullis.authz.policy;

import java.util.Map;

/** Decides about one request, given the policy input document. */
@FunctionalInterface
public interface PolicyEngine {

    /**
     * @param input the input document (JSON-compatible Java values)
     * @throws PolicyException when there is no usable decision: the caller denies
     */
    PolicyDecision decide(Map<String, Object> input) throws PolicyException;
}
