package io.eventflow.devstack.spec;

import java.util.Map;
import java.util.Optional;

import org.bson.BsonArray;
import org.bson.BsonDocument;
import org.bson.BsonValue;

/**
 * Driver features some tests exercise that the Java driver this runner is built on (the project's 4.11) does not
 * have. Such a test checks the driver, not the server, so it is not applicable here; the reason says which feature.
 */
final class DriverFeatures {

    /** Operations the driver has no API for. */
    private static final Map<String, String> OPERATIONS = Map.of(
        "clientBulkWrite", "MongoClient.bulkWrite (driver 5.3+)");
    /** Arguments the driver cannot send. */
    private static final Map<String, String> ARGUMENTS = Map.of(
        "rawData", "the rawData option (driver 5.6+)");

    private DriverFeatures() {
    }

    private static boolean sortsAnUpdate(String name, BsonDocument arguments) {
        if ((name.equals("updateOne") || name.equals("replaceOne")) && arguments.containsKey("sort")) {
            return true;
        }
        if (name.equals("bulkWrite") && arguments.get("requests") instanceof BsonArray requests) {
            for (BsonValue request : requests) {
                BsonDocument model = request.asDocument();
                String type = model.getFirstKey();
                if ((type.equals("updateOne") || type.equals("replaceOne")) && model.getDocument(type).containsKey("sort")) {
                    return true;
                }
            }
        }
        return false;
    }

    static Optional<String> missingFor(BsonArray operations) {
        for (BsonValue value : operations) {
            var operation = value.asDocument();
            String name = operation.getString("name").getValue();
            if (OPERATIONS.containsKey(name)) {
                return Optional.of("uses " + OPERATIONS.get(name) + ", which the runner's Java driver 4.11 lacks");
            }
            if (name.equals("failPoint") && operation.getDocument("arguments").toJson().contains("SystemOverloadedError")) {
                return Optional.of("checks the client backpressure retries on SystemOverloadedError, a driver "
                    + "behaviour newer than the runner's Java driver 4.11");
            }
            if (operation.get("arguments") != null && operation.get("arguments").isDocument()) {
                if (sortsAnUpdate(name, operation.getDocument("arguments"))) {
                    return Optional.of("uses the sort option of updateOne/replaceOne (driver 5.3+), which the runner's "
                        + "Java driver 4.11 lacks");
                }
                for (String argument : operation.getDocument("arguments").keySet()) {
                    if (ARGUMENTS.containsKey(argument)) {
                        return Optional.of("uses " + ARGUMENTS.get(argument) + ", which the runner's Java driver 4.11 lacks");
                    }
                }
            }
        }
        return Optional.empty();
    }
}
