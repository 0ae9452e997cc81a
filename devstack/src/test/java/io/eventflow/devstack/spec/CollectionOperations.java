package io.eventflow.devstack.spec;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.bson.BsonArray;
import org.bson.BsonDocument;
import org.bson.BsonInt64;
import org.bson.BsonNull;
import org.bson.BsonString;
import org.bson.BsonValue;
import org.bson.conversions.Bson;

import com.mongodb.MongoNamespace;
import com.mongodb.client.AggregateIterable;
import com.mongodb.client.ClientSession;
import com.mongodb.client.DistinctIterable;
import com.mongodb.client.FindIterable;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.BulkWriteOptions;
import com.mongodb.client.model.Collation;
import com.mongodb.client.model.CountOptions;
import com.mongodb.client.model.DeleteManyModel;
import com.mongodb.client.model.DeleteOneModel;
import com.mongodb.client.model.DeleteOptions;
import com.mongodb.client.model.EstimatedDocumentCountOptions;
import com.mongodb.client.model.FindOneAndDeleteOptions;
import com.mongodb.client.model.FindOneAndReplaceOptions;
import com.mongodb.client.model.FindOneAndUpdateOptions;
import com.mongodb.client.model.IndexOptions;
import com.mongodb.client.model.InsertManyOptions;
import com.mongodb.client.model.InsertOneModel;
import com.mongodb.client.model.InsertOneOptions;
import com.mongodb.client.model.RenameCollectionOptions;
import com.mongodb.client.model.ReplaceOneModel;
import com.mongodb.client.model.ReplaceOptions;
import com.mongodb.client.model.ReturnDocument;
import com.mongodb.client.model.UpdateManyModel;
import com.mongodb.client.model.UpdateOneModel;
import com.mongodb.client.model.UpdateOptions;
import com.mongodb.client.model.WriteModel;

/** The CRUD operations of a collection entity, with the driver's own API. */
final class CollectionOperations {

    private CollectionOperations() {
    }

    static Object execute(String name, MongoCollection<BsonDocument> collection, MongoDatabase database, Arguments args) {
        ClientSession session = args.session();
        return switch (name) {
            case "insertOne" -> {
                InsertOneOptions options = new InsertOneOptions();
                apply(args, "bypassDocumentValidation", v -> options.bypassDocumentValidation(v.asBoolean().getValue()));
                apply(args, "comment", options::comment);
                BsonDocument document = args.document("document");
                yield WriteResults.of(session == null ? collection.insertOne(document, options)
                    : collection.insertOne(session, document, options));
            }
            case "insertMany" -> {
                InsertManyOptions options = new InsertManyOptions();
                apply(args, "ordered", v -> options.ordered(v.asBoolean().getValue()));
                apply(args, "bypassDocumentValidation", v -> options.bypassDocumentValidation(v.asBoolean().getValue()));
                apply(args, "comment", options::comment);
                List<BsonDocument> documents = args.array("documents").stream().map(BsonValue::asDocument).toList();
                yield WriteResults.of(session == null ? collection.insertMany(documents, options)
                    : collection.insertMany(session, documents, options));
            }
            case "updateOne", "updateMany" -> {
                boolean many = name.equals("updateMany");
                BsonDocument filter = args.document("filter");
                BsonValue update = args.value("update");
                UpdateOptions options = updateOptions(args);
                yield WriteResults.of(update(collection, session, many, filter, update, options));
            }
            case "replaceOne" -> {
                BsonDocument filter = args.document("filter");
                BsonDocument replacement = args.document("replacement");
                ReplaceOptions options = replaceOptions(args);
                yield WriteResults.of(session == null ? collection.replaceOne(filter, replacement, options)
                    : collection.replaceOne(session, filter, replacement, options));
            }
            case "deleteOne", "deleteMany" -> {
                BsonDocument filter = args.document("filter");
                DeleteOptions options = deleteOptions(args);
                if (name.equals("deleteOne")) {
                    yield WriteResults.of(session == null ? collection.deleteOne(filter, options)
                        : collection.deleteOne(session, filter, options));
                }
                yield WriteResults.of(session == null ? collection.deleteMany(filter, options)
                    : collection.deleteMany(session, filter, options));
            }
            case "find", "findOne" -> {
                BsonDocument filter = args.has("filter") ? args.document("filter") : new BsonDocument();
                FindIterable<BsonDocument> find = session == null ? collection.find(filter) : collection.find(session, filter);
                findOptions(args, find);
                if (name.equals("findOne")) {
                    BsonDocument first = find.first();
                    yield first == null ? BsonNull.VALUE : first;
                }
                yield new BsonArray(find.into(new ArrayList<>()));
            }
            case "aggregate" -> {
                List<Bson> pipeline = Arguments.pipeline(args.value("pipeline"));
                AggregateIterable<BsonDocument> aggregate = session == null ? collection.aggregate(pipeline)
                    : collection.aggregate(session, pipeline);
                yield runAggregate(aggregate, pipeline, args);
            }
            case "distinct" -> {
                String field = args.string("fieldName");
                BsonDocument filter = args.document("filter");
                DistinctIterable<BsonValue> distinct = session == null ? collection.distinct(field, filter, BsonValue.class)
                    : collection.distinct(session, field, filter, BsonValue.class);
                apply(args, "collation", v -> distinct.collation(collation(v)));
                apply(args, "comment", distinct::comment);
                apply(args, "maxTimeMS", v -> distinct.maxTime(v.asNumber().longValue(), TimeUnit.MILLISECONDS));
                yield new BsonArray(distinct.into(new ArrayList<>()));
            }
            case "countDocuments" -> {
                BsonDocument filter = args.document("filter");
                CountOptions options = new CountOptions();
                apply(args, "skip", v -> options.skip(v.asNumber().intValue()));
                apply(args, "limit", v -> options.limit(v.asNumber().intValue()));
                apply(args, "collation", v -> options.collation(collation(v)));
                apply(args, "comment", options::comment);
                apply(args, "hint", v -> hint(v, options::hint, options::hintString));
                apply(args, "maxTimeMS", v -> options.maxTime(v.asNumber().longValue(), TimeUnit.MILLISECONDS));
                yield new BsonInt64(session == null ? collection.countDocuments(filter, options)
                    : collection.countDocuments(session, filter, options));
            }
            case "count" -> {
                // the driver dropped MongoCollection.count() in 4.0; the count command is what the test exercises
                BsonDocument command = new BsonDocument("count", new BsonString(collection.getNamespace().getCollectionName()))
                    .append("query", args.document("filter"));
                apply(args, "skip", v -> command.append("skip", v));
                apply(args, "limit", v -> command.append("limit", v));
                apply(args, "collation", v -> command.append("collation", v));
                apply(args, "comment", v -> command.append("comment", v));
                BsonDocument reply = session == null ? database.runCommand(command, BsonDocument.class)
                    : database.runCommand(session, command, BsonDocument.class);
                yield new BsonInt64(reply.getNumber("n").longValue());
            }
            case "estimatedDocumentCount" -> {
                EstimatedDocumentCountOptions options = new EstimatedDocumentCountOptions();
                apply(args, "comment", options::comment);
                apply(args, "maxTimeMS", v -> options.maxTime(v.asNumber().longValue(), TimeUnit.MILLISECONDS));
                yield new BsonInt64(collection.estimatedDocumentCount(options));
            }
            case "findOneAndUpdate" -> {
                BsonDocument filter = args.document("filter");
                BsonValue update = args.value("update");
                FindOneAndUpdateOptions options = new FindOneAndUpdateOptions();
                apply(args, "projection", v -> options.projection(v.asDocument()));
                apply(args, "sort", v -> options.sort(v.asDocument()));
                apply(args, "upsert", v -> options.upsert(v.asBoolean().getValue()));
                apply(args, "returnDocument", v -> options.returnDocument(returnDocument(v)));
                apply(args, "arrayFilters", v -> options.arrayFilters(documents(v)));
                apply(args, "collation", v -> options.collation(collation(v)));
                apply(args, "hint", v -> hint(v, options::hint, options::hintString));
                apply(args, "comment", options::comment);
                apply(args, "let", v -> options.let(v.asDocument()));
                apply(args, "bypassDocumentValidation", v -> options.bypassDocumentValidation(v.asBoolean().getValue()));
                apply(args, "maxTimeMS", v -> options.maxTime(v.asNumber().longValue(), TimeUnit.MILLISECONDS));
                BsonDocument result;
                if (Arguments.isPipeline(update)) {
                    List<Bson> stages = Arguments.pipeline(update);
                    result = session == null ? collection.findOneAndUpdate(filter, stages, options)
                        : collection.findOneAndUpdate(session, filter, stages, options);
                } else {
                    result = session == null ? collection.findOneAndUpdate(filter, update.asDocument(), options)
                        : collection.findOneAndUpdate(session, filter, update.asDocument(), options);
                }
                yield result == null ? BsonNull.VALUE : result;
            }
            case "findOneAndReplace" -> {
                BsonDocument filter = args.document("filter");
                BsonDocument replacement = args.document("replacement");
                FindOneAndReplaceOptions options = new FindOneAndReplaceOptions();
                apply(args, "projection", v -> options.projection(v.asDocument()));
                apply(args, "sort", v -> options.sort(v.asDocument()));
                apply(args, "upsert", v -> options.upsert(v.asBoolean().getValue()));
                apply(args, "returnDocument", v -> options.returnDocument(returnDocument(v)));
                apply(args, "collation", v -> options.collation(collation(v)));
                apply(args, "hint", v -> hint(v, options::hint, options::hintString));
                apply(args, "comment", options::comment);
                apply(args, "let", v -> options.let(v.asDocument()));
                apply(args, "bypassDocumentValidation", v -> options.bypassDocumentValidation(v.asBoolean().getValue()));
                apply(args, "maxTimeMS", v -> options.maxTime(v.asNumber().longValue(), TimeUnit.MILLISECONDS));
                BsonDocument result = session == null ? collection.findOneAndReplace(filter, replacement, options)
                    : collection.findOneAndReplace(session, filter, replacement, options);
                yield result == null ? BsonNull.VALUE : result;
            }
            case "findOneAndDelete" -> {
                BsonDocument filter = args.document("filter");
                FindOneAndDeleteOptions options = new FindOneAndDeleteOptions();
                apply(args, "projection", v -> options.projection(v.asDocument()));
                apply(args, "sort", v -> options.sort(v.asDocument()));
                apply(args, "collation", v -> options.collation(collation(v)));
                apply(args, "hint", v -> hint(v, options::hint, options::hintString));
                apply(args, "comment", options::comment);
                apply(args, "let", v -> options.let(v.asDocument()));
                apply(args, "maxTimeMS", v -> options.maxTime(v.asNumber().longValue(), TimeUnit.MILLISECONDS));
                BsonDocument result = session == null ? collection.findOneAndDelete(filter, options)
                    : collection.findOneAndDelete(session, filter, options);
                yield result == null ? BsonNull.VALUE : result;
            }
            case "bulkWrite" -> {
                List<WriteModel<BsonDocument>> requests = new ArrayList<>();
                for (BsonValue request : args.array("requests")) {
                    requests.add(writeModel(request.asDocument()));
                }
                BulkWriteOptions options = new BulkWriteOptions();
                apply(args, "ordered", v -> options.ordered(v.asBoolean().getValue()));
                apply(args, "bypassDocumentValidation", v -> options.bypassDocumentValidation(v.asBoolean().getValue()));
                apply(args, "comment", options::comment);
                apply(args, "let", v -> options.let(v.asDocument()));
                yield WriteResults.of(session == null ? collection.bulkWrite(requests, options)
                    : collection.bulkWrite(session, requests, options));
            }
            case "createIndex" -> {
                BsonDocument keys = args.document("keys");
                IndexOptions options = new IndexOptions();
                apply(args, "name", v -> options.name(v.asString().getValue()));
                apply(args, "unique", v -> options.unique(v.asBoolean().getValue()));
                yield new BsonString(session == null ? collection.createIndex(keys, options)
                    : collection.createIndex(session, keys, options));
            }
            case "dropIndex" -> {
                String index = args.string("name");
                if (session == null) {
                    collection.dropIndex(index);
                } else {
                    collection.dropIndex(session, index);
                }
                yield null;
            }
            case "listIndexes" -> new BsonArray(new ArrayList<>(session == null
                ? collection.listIndexes(BsonDocument.class).into(new ArrayList<>())
                : collection.listIndexes(session, BsonDocument.class).into(new ArrayList<>())));
            case "drop" -> {
                if (session == null) {
                    collection.drop();
                } else {
                    collection.drop(session);
                }
                yield null;
            }
            case "rename" -> {
                MongoNamespace target = new MongoNamespace(collection.getNamespace().getDatabaseName(), args.string("to"));
                RenameCollectionOptions options = new RenameCollectionOptions();
                apply(args, "dropTarget", v -> options.dropTarget(v.asBoolean().getValue()));
                if (session == null) {
                    collection.renameCollection(target, options);
                } else {
                    collection.renameCollection(session, target, options);
                }
                yield null;
            }
            case "createChangeStream" -> ChangeStreamOperations.open(
                session == null ? collection.watch(Arguments.pipeline(args.value("pipeline")), BsonDocument.class)
                    : collection.watch(session, Arguments.pipeline(args.value("pipeline")), BsonDocument.class), args);
            default -> throw new RunnerException("collection operation '" + name + "' is not supported by this runner");
        };
    }

    /** Runs an aggregation; one ending in {@code $out} or {@code $merge} is run without reading its output. */
    static BsonArray runAggregate(AggregateIterable<BsonDocument> aggregate, List<Bson> pipeline, Arguments args) {
        apply(args, "batchSize", v -> aggregate.batchSize(v.asNumber().intValue()));
        apply(args, "allowDiskUse", v -> aggregate.allowDiskUse(v.asBoolean().getValue()));
        apply(args, "collation", v -> aggregate.collation(collation(v)));
        apply(args, "comment", aggregate::comment);
        apply(args, "let", v -> aggregate.let(v.asDocument()));
        apply(args, "hint", v -> hint(v, aggregate::hint, aggregate::hintString));
        apply(args, "bypassDocumentValidation", v -> aggregate.bypassDocumentValidation(v.asBoolean().getValue()));
        apply(args, "maxTimeMS", v -> aggregate.maxTime(v.asNumber().longValue(), TimeUnit.MILLISECONDS));
        args.requireAllUsed();
        if (!pipeline.isEmpty()) {
            BsonDocument last = pipeline.get(pipeline.size() - 1).toBsonDocument();
            if (last.containsKey("$out") || last.containsKey("$merge")) {
                aggregate.toCollection();
                return new BsonArray();
            }
        }
        return new BsonArray(aggregate.into(new ArrayList<>()));
    }

    private static com.mongodb.client.result.UpdateResult update(MongoCollection<BsonDocument> collection, ClientSession session, boolean many,
                                 BsonDocument filter, BsonValue update, UpdateOptions options) {
        if (Arguments.isPipeline(update)) {
            List<Bson> stages = Arguments.pipeline(update);
            if (many) {
                return session == null ? collection.updateMany(filter, stages, options)
                    : collection.updateMany(session, filter, stages, options);
            }
            return session == null ? collection.updateOne(filter, stages, options)
                : collection.updateOne(session, filter, stages, options);
        }
        if (many) {
            return session == null ? collection.updateMany(filter, update.asDocument(), options)
                : collection.updateMany(session, filter, update.asDocument(), options);
        }
        return session == null ? collection.updateOne(filter, update.asDocument(), options)
            : collection.updateOne(session, filter, update.asDocument(), options);
    }

    private static UpdateOptions updateOptions(Arguments args) {
        UpdateOptions options = new UpdateOptions();
        apply(args, "upsert", v -> options.upsert(v.asBoolean().getValue()));
        apply(args, "arrayFilters", v -> options.arrayFilters(documents(v)));
        apply(args, "collation", v -> options.collation(collation(v)));
        apply(args, "hint", v -> hint(v, options::hint, options::hintString));
        apply(args, "bypassDocumentValidation", v -> options.bypassDocumentValidation(v.asBoolean().getValue()));
        apply(args, "comment", options::comment);
        apply(args, "let", v -> options.let(v.asDocument()));
        return options;
    }

    private static ReplaceOptions replaceOptions(Arguments args) {
        ReplaceOptions options = new ReplaceOptions();
        apply(args, "upsert", v -> options.upsert(v.asBoolean().getValue()));
        apply(args, "collation", v -> options.collation(collation(v)));
        apply(args, "hint", v -> hint(v, options::hint, options::hintString));
        apply(args, "bypassDocumentValidation", v -> options.bypassDocumentValidation(v.asBoolean().getValue()));
        apply(args, "comment", options::comment);
        apply(args, "let", v -> options.let(v.asDocument()));
        return options;
    }

    private static DeleteOptions deleteOptions(Arguments args) {
        DeleteOptions options = new DeleteOptions();
        apply(args, "collation", v -> options.collation(collation(v)));
        apply(args, "hint", v -> hint(v, options::hint, options::hintString));
        apply(args, "comment", options::comment);
        apply(args, "let", v -> options.let(v.asDocument()));
        return options;
    }

    private static void findOptions(Arguments args, FindIterable<BsonDocument> find) {
        apply(args, "sort", v -> find.sort(v.asDocument()));
        apply(args, "projection", v -> find.projection(v.asDocument()));
        apply(args, "skip", v -> find.skip(v.asNumber().intValue()));
        apply(args, "limit", v -> find.limit(v.asNumber().intValue()));
        apply(args, "batchSize", v -> find.batchSize(v.asNumber().intValue()));
        apply(args, "collation", v -> find.collation(collation(v)));
        apply(args, "hint", v -> hint(v, find::hint, find::hintString));
        apply(args, "comment", find::comment);
        apply(args, "let", v -> find.let(v.asDocument()));
        apply(args, "allowDiskUse", v -> find.allowDiskUse(v.asBoolean().getValue()));
        apply(args, "maxTimeMS", v -> find.maxTime(v.asNumber().longValue(), TimeUnit.MILLISECONDS));
        apply(args, "min", v -> find.min(v.asDocument()));
        apply(args, "max", v -> find.max(v.asDocument()));
        apply(args, "returnKey", v -> find.returnKey(v.asBoolean().getValue()));
        apply(args, "showRecordId", v -> find.showRecordId(v.asBoolean().getValue()));
    }

    private static WriteModel<BsonDocument> writeModel(BsonDocument request) {
        String type = request.getFirstKey();
        Arguments args = new Arguments("bulkWrite " + type, request.getDocument(type), null);
        WriteModel<BsonDocument> model = switch (type) {
            case "insertOne" -> new InsertOneModel<>(args.document("document"));
            case "updateOne", "updateMany" -> {
                BsonDocument filter = args.document("filter");
                BsonValue update = args.value("update");
                UpdateOptions options = updateOptions(args);
                boolean many = type.equals("updateMany");
                if (Arguments.isPipeline(update)) {
                    List<Bson> stages = Arguments.pipeline(update);
                    yield many ? new UpdateManyModel<>(filter, stages, options) : new UpdateOneModel<>(filter, stages, options);
                }
                yield many ? new UpdateManyModel<>(filter, update.asDocument(), options)
                    : new UpdateOneModel<>(filter, update.asDocument(), options);
            }
            case "replaceOne" -> new ReplaceOneModel<>(args.document("filter"), args.document("replacement"), replaceOptions(args));
            case "deleteOne" -> new DeleteOneModel<>(args.document("filter"), deleteOptions(args));
            case "deleteMany" -> new DeleteManyModel<>(args.document("filter"), deleteOptions(args));
            default -> throw new RunnerException("bulkWrite request '" + type + "' is not supported by this runner");
        };
        args.requireAllUsed();
        return model;
    }

    static Collation collation(BsonValue value) {
        BsonDocument document = value.asDocument();
        Collation.Builder builder = Collation.builder();
        for (String key : document.keySet()) {
            BsonValue option = document.get(key);
            switch (key) {
                case "locale" -> builder.locale(option.asString().getValue());
                case "strength" -> builder.collationStrength(
                    com.mongodb.client.model.CollationStrength.fromInt(option.asNumber().intValue()));
                case "caseLevel" -> builder.caseLevel(option.asBoolean().getValue());
                case "numericOrdering" -> builder.numericOrdering(option.asBoolean().getValue());
                case "backwards" -> builder.backwards(option.asBoolean().getValue());
                case "normalization" -> builder.normalization(option.asBoolean().getValue());
                default -> throw new RunnerException("collation option '" + key + "' is not supported by this runner");
            }
        }
        return builder.build();
    }

    private static List<BsonDocument> documents(BsonValue array) {
        return array.asArray().stream().map(BsonValue::asDocument).toList();
    }

    private static ReturnDocument returnDocument(BsonValue value) {
        return switch (value.asString().getValue()) {
            case "Before", "before" -> ReturnDocument.BEFORE;
            case "After", "after" -> ReturnDocument.AFTER;
            default -> throw new RunnerException("returnDocument must be Before or After, was " + value);
        };
    }

    private static void hint(BsonValue value, java.util.function.Consumer<Bson> byKeys,
                             java.util.function.Consumer<String> byName) {
        if (value.isString()) {
            byName.accept(value.asString().getValue());
        } else {
            byKeys.accept(value.asDocument());
        }
    }

    static void apply(Arguments args, String name, java.util.function.Consumer<BsonValue> setter) {
        BsonValue value = args.optional(name);
        if (value != null) {
            setter.accept(value);
        }
    }
}
