package io.suitesync.common.web;

import java.util.UUID;

/** Parsing of path and query parameters shared by the REST beans: bad input is a 400 naming the parameter. */
public final class RequestParams {

    private RequestParams() {}

    public static UUID uuid(String name, String value) {
        try {
            return UUID.fromString(value);
        } catch (IllegalArgumentException | NullPointerException e) {
            throw ApiException.badRequest(name + " must be a UUID, got '" + value + "'");
        }
    }

    /** An optional integer query parameter within bounds; 400 naming it otherwise. */
    public static int intParam(String name, String value, int defaultValue, int min, int max) {
        if (value == null || value.isBlank()) {
            return defaultValue;
        }
        try {
            int n = Integer.parseInt(value.trim());
            if (n >= min && n <= max) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below with the allowed range
        }
        throw ApiException.badRequest("query parameter '" + name + "' must be an integer from " + min + " to " + max
                + ", got '" + value + "'");
    }
}
