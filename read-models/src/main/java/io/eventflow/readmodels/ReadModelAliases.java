package io.eventflow.readmodels;

import java.util.Date;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.bson.Document;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.ReplaceOptions;

import io.eventflow.core.readmodel.ReadModelFields;

/**
 * Which physical collection serves each read model. Readers ask for a read model by its name ({@code orders}); the
 * alias document {@code {_id: "orders", collection: "orders_v3", previous: "orders_v2", switchedAt}} in the
 * collection {@code aliases} of the read-model database names the collection that currently serves it. Without an
 * alias document, the read model is the collection of the same name.
 *
 * <p>A rebuild writes {@code <name>_v<N>} next to the live collection and, once it has caught up, switches the alias
 * with one single-document write: atomic, so a reader sees either the old complete collection or the new complete
 * one, never a half-built one. We chose an alias document over a MongoDB view because it works the same on every
 * MongoDB deployment and on the embedded emulator (which has no views), needs no rename of the live collection to
 * free its name, and readers can cache it and re-read it cheaply.
 */
public final class ReadModelAliases {

    /** The collection, in the read-model database, that holds the alias documents. */
    public static final String COLLECTION = ReadModelFields.ALIASES_COLLECTION;

    private static final Pattern VERSIONED = Pattern.compile("(.+)_v(\\d+)");

    private final MongoCollection<Document> aliases;

    public ReadModelAliases(MongoDatabase readModelDatabase) {
        this.aliases = readModelDatabase.getCollection(COLLECTION);
    }

    /** The collection that serves the read model now. */
    public String resolve(String readModel) {
        return alias(readModel).map(alias -> alias.getString(ReadModelFields.ALIAS_COLLECTION)).orElse(readModel);
    }

    /** The alias document of the read model, if it was ever switched. */
    public Optional<Document> alias(String readModel) {
        return Optional.ofNullable(aliases.find(Filters.eq(ReadModelFields.ID, readModel)).first());
    }

    /** Points the read model at {@code collection}, atomically; returns the collection it pointed at before. */
    public String switchTo(String readModel, String collection) {
        Objects.requireNonNull(collection, "collection");
        String previous = resolve(readModel);
        aliases.replaceOne(Filters.eq(ReadModelFields.ID, readModel), new Document(ReadModelFields.ID, readModel)
            .append(ReadModelFields.ALIAS_COLLECTION, collection).append(ReadModelFields.ALIAS_PREVIOUS, previous)
            .append(ReadModelFields.ALIAS_SWITCHED_AT, new Date()), new ReplaceOptions().upsert(true));
        return previous;
    }

    /** The version of a collection name: 1 for {@code orders}, 3 for {@code orders_v3}. */
    public static int versionOf(String readModel, String collection) {
        Matcher matcher = VERSIONED.matcher(collection);
        if (matcher.matches() && matcher.group(1).equals(readModel)) {
            return Integer.parseInt(matcher.group(2));
        }
        return 1;
    }

    /** The collection suffix of version {@code n}: {@code _v<n>}. */
    public static String suffix(int version) {
        return "_v" + version;
    }
}
