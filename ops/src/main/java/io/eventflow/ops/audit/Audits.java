package io.eventflow.ops.audit;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.bson.BsonDocument;
import org.bson.Document;
import org.bson.RawBsonDocument;

import com.mongodb.client.MongoCollection;

import io.eventflow.core.event.EventFields;
import io.eventflow.ops.inspect.JobJars;

/** The audits of a job's read models, each kind by its own method, keyed by read model (its base collection name). */
public final class Audits {

    /** Audits one read model's collection. */
    @FunctionalInterface
    public interface Audit {
        AuditResult audit(String readModel, MongoCollection<BsonDocument> collection);
    }

    private Audits() {
    }

    /**
     * The audits of every read model of the job's jars: per-aggregate ones against the store's heads (for the
     * aggregates with an event type the projection handles), cross-aggregate ones recomputed from the store.
     */
    public static Map<String, Audit> of(JobJars jars, List<String> projections, MongoCollection<Document> events,
                                        Duration settle, int rechecks, int reportLimit) {
        List<String> types = new ArrayList<>();
        events.distinct(EventFields.EVENT_TYPE, String.class).forEach(types::add);
        Map<String, Audit> audits = new LinkedHashMap<>();
        for (JobJars.ReadModel model : jars.readModels(projections)) {
            if (model.crossAggregate()) {
                CrossAggregateAudit audit = new CrossAggregateAudit(events.withDocumentClass(RawBsonDocument.class), jars,
                    model.name(), settle, rechecks, reportLimit);
                audits.put(model.collection(), (name, collection) -> audit.audit(name, collection, null));
            } else {
                Set<String> handled = jars.handledTypes(model.name(), types);
                ReadModelAudit audit = ReadModelAudit.ofHandledTypes(events,
                    aggregateTypes -> aggregateTypes.stream().anyMatch(handled::contains), settle, rechecks, reportLimit);
                audits.put(model.collection(), (name, collection) -> audit.audit(name,
                    collection.withDocumentClass(Document.class)));
            }
        }
        return audits;
    }

    /** Audits of per-aggregate read models given as {@code name:aggregateType} (no jar at hand). */
    public static Map<String, Audit> byAggregateType(Map<String, String> readModels, MongoCollection<Document> events,
                                                     Duration settle, int rechecks, int reportLimit) {
        Map<String, Audit> audits = new LinkedHashMap<>();
        readModels.forEach((name, aggregateType) -> {
            ReadModelAudit audit = new ReadModelAudit(events, aggregateType, settle, rechecks, reportLimit);
            audits.put(name, (readModel, collection) -> audit.audit(readModel, collection.withDocumentClass(Document.class)));
        });
        return audits;
    }
}
