package io.eventflow.devstack.spec;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.bson.BsonArray;
import org.bson.BsonDocument;
import org.bson.BsonValue;

/**
 * Evaluates a {@code runOnRequirements} array: a test applies when any one requirement is met. Topologies
 * {@code replicaset} and {@code single} are counted as applicable (a single-node replica set serves both); serverless,
 * authentication and client-side encryption are not available here.
 */
final class RunOnRequirements {

    private static final Set<String> APPLICABLE_TOPOLOGIES = Set.of("replicaset", "single");

    private RunOnRequirements() {
    }

    /**
     * @return empty when the requirements are met (or absent), else why the test does not apply
     */
    static Optional<String> unmetBy(BsonArray requirements, ServerInfo server) {
        if (requirements == null || requirements.isEmpty()) {
            return Optional.empty();
        }
        List<String> reasons = new ArrayList<>();
        for (BsonValue requirement : requirements) {
            Optional<String> reason = unmet(requirement.asDocument(), server);
            if (reason.isEmpty()) {
                return Optional.empty();
            }
            reasons.add(reason.get());
        }
        return Optional.of(String.join("; or ", reasons));
    }

    private static Optional<String> unmet(BsonDocument requirement, ServerInfo server) {
        for (Map.Entry<String, BsonValue> entry : requirement.entrySet()) {
            String key = entry.getKey();
            BsonValue value = entry.getValue();
            switch (key) {
                case "minServerVersion" -> {
                    if (ServerInfo.compare(server.version(), ServerInfo.parseVersion(value.asString().getValue())) < 0) {
                        return Optional.of("needs server " + value.asString().getValue() + "+, server is " + server.versionText());
                    }
                }
                case "maxServerVersion" -> {
                    if (ServerInfo.compare(server.version(), ServerInfo.parseVersion(value.asString().getValue())) > 0) {
                        return Optional.of("needs server <= " + value.asString().getValue() + ", server is " + server.versionText());
                    }
                }
                case "topologies" -> {
                    boolean applicable = value.asArray().stream()
                        .anyMatch(topology -> APPLICABLE_TOPOLOGIES.contains(topology.asString().getValue()));
                    if (!applicable) {
                        return Optional.of("needs topology " + value.asArray().getValues().stream()
                            .map(v -> v.asString().getValue()).toList());
                    }
                }
                case "serverless" -> {
                    if (value.asString().getValue().equals("require")) {
                        return Optional.of("needs serverless");
                    }
                }
                case "auth" -> {
                    if (value.asBoolean().getValue()) {
                        return Optional.of("needs authentication");
                    }
                }
                case "authMechanism" -> {
                    return Optional.of("needs authentication mechanism " + value);
                }
                case "csfle" -> {
                    if (value.isBoolean() ? value.asBoolean().getValue() : true) {
                        return Optional.of("needs client-side field level encryption");
                    }
                }
                case "serverParameters" -> {
                    for (Map.Entry<String, BsonValue> parameter : value.asDocument().entrySet()) {
                        BsonValue actual = server.parameter(parameter.getKey());
                        if (actual == null || !sameParameter(parameter.getValue(), actual)) {
                            return Optional.of("needs server parameter " + parameter.getKey() + "=" + parameter.getValue()
                                + ", server has " + actual);
                        }
                    }
                }
                default -> {
                    return Optional.of("unknown runOnRequirement '" + key + "'");
                }
            }
        }
        return Optional.empty();
    }

    private static boolean sameParameter(BsonValue expected, BsonValue actual) {
        if (expected.isNumber() && actual.isNumber()) {
            return expected.asNumber().doubleValue() == actual.asNumber().doubleValue();
        }
        if (expected.isBoolean() && actual.isNumber()) {
            return expected.asBoolean().getValue() == (actual.asNumber().intValue() != 0);
        }
        return expected.equals(actual);
    }
}
