package io.eventflow.devstack.spec;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;

import org.bson.BsonArray;
import org.bson.BsonDocument;
import org.bson.BsonValue;
import org.junit.jupiter.api.Test;

/** The unified test format's matching rules, as the runner applies them. */
class ValueMatcherTest {

    private final ValueMatcher matcher = new ValueMatcher(name -> Map.<String, BsonValue>of(
        "lsid:session0", BsonDocument.parse("{id: 1}"), "saved", BsonDocument.parse("{x: 1}").get("x")).get(name));

    @Test
    void aRootDocumentMayHaveExtraFieldsButANestedOneMayNot() {
        assertThatCode(() -> matcher.matchRoot("r", doc("{a: 1}"), doc("{a: 1, b: 2}"))).doesNotThrowAnyException();
        assertThatThrownBy(() -> matcher.matchRoot("r", doc("{a: {x: 1}}"), doc("{a: {x: 1, y: 2}}")))
            .isInstanceOf(AssertionError.class).hasMessageContaining("at r.a").hasMessageContaining("'y'");
    }

    @Test
    void numbersMatchAcrossIntLongAndDoubleButArraysMustHaveTheSameLength() {
        assertThatCode(() -> matcher.matchRoot("r", doc("{n: 1}"), doc("{n: {$numberLong: '1'}}"))).doesNotThrowAnyException();
        assertThatCode(() -> matcher.matchRoot("r", doc("{n: 1}"), doc("{n: 1.0}"))).doesNotThrowAnyException();
        assertThatThrownBy(() -> matcher.matchRoot("r", doc("{a: [1, 2]}"), doc("{a: [1, 2, 3]}")))
            .isInstanceOf(AssertionError.class).hasMessageContaining("an array of 2 elements");
    }

    @Test
    void specialOperatorsAssertExistenceTypesOptionalValuesAndEntities() {
        assertThatCode(() -> matcher.matchRoot("r",
            doc("{a: {$$exists: true}, b: {$$exists: false}, c: {$$type: ['int', 'long']}, d: {$$unsetOrMatches: 5},"
                + " lsid: {$$sessionLsid: 'session0'}, e: {$$matchesEntity: 'saved'}, f: {$$lte: 3}}"),
            doc("{a: null, c: {$numberLong: '7'}, lsid: {id: 1}, e: 1, f: 2}"))).doesNotThrowAnyException();
        assertThatThrownBy(() -> matcher.matchRoot("r", doc("{d: {$$unsetOrMatches: 5}}"), doc("{d: 6}")))
            .isInstanceOf(AssertionError.class).hasMessageContaining("at r.d");
        assertThatThrownBy(() -> matcher.matchRoot("r", doc("{c: {$$type: 'string'}}"), doc("{c: 1}")))
            .isInstanceOf(AssertionError.class).hasMessageContaining("type");
    }

    @Test
    void theElementsOfAnIterableResultAreEachARootDocument() {
        BsonArray expected = BsonArray.parse("[{a: 1}, {a: 2}]");
        assertThatCode(() -> matcher.matchRootElements("r", expected,
            BsonArray.parse("[{a: 1, b: 1}, {a: 2, b: 2}]").getValues())).doesNotThrowAnyException();
    }

    private static BsonDocument doc(String json) {
        return BsonDocument.parse(json);
    }
}
