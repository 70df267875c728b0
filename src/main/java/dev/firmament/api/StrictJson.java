package dev.firmament.api;

import java.io.IOException;

import jakarta.inject.Singleton;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.deser.std.StringDeserializer;
import com.fasterxml.jackson.databind.module.SimpleModule;

import io.quarkus.jackson.ObjectMapperCustomizer;

import dev.firmament.errors.PlainText;

/**
 * JSON bodies are read strictly: an unknown field (a misspelt {@code buildNot}, a {@code startAt} this version does not
 * have), a key given twice, or a control character in a string is refused with a 400 naming it ({@link ProblemMappers})
 * instead of being dropped, kept last-wins, or reaching PostgreSQL.
 */
@Singleton
public class StrictJson implements ObjectMapperCustomizer {

    @Override
    public void customize(ObjectMapper mapper) {
        mapper.enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
        mapper.enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
        mapper.registerModule(
                new SimpleModule("firmament-strict-strings").addDeserializer(String.class, new PlainStrings()));
    }

    /** A string with a control character, at a field {@link JsonMappingException#getPathReference()} names. */
    public static class ControlCharacterException extends JsonMappingException {
        ControlCharacterException(JsonParser parser, int codePoint) {
            super(parser, String.format("contains the control character U+%04X", codePoint));
        }
    }

    /** Strings without C0/C1 control characters other than tab, line feed and carriage return (multi-line notes). */
    static final class PlainStrings extends StringDeserializer {
        @Override
        public String deserialize(JsonParser parser, DeserializationContext context) throws IOException {
            String value = super.deserialize(parser, context);
            if (value != null && parser.currentToken() == JsonToken.VALUE_STRING) {
                int bad = PlainText.firstControlCharacter(value);
                if (bad >= 0) {
                    throw new ControlCharacterException(parser, bad);
                }
            }
            return value;
        }
    }
}
