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
}
