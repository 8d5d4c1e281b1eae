package io.suitesync.common.web;

/** The one error body of every HTTP answer (built by {@link ApiErrors#body}); also its schema in the OpenAPI document. */
public record ApiError(int status, String error, String message, String timestamp) {}
