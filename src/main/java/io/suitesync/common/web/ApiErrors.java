package io.suitesync.common.web;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.time.Instant;
import java.util.stream.Collectors;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;

/**
 * The one error format of every HTTP answer: {@code {status, error, message, timestamp}}.
 * {@link #toResponse} turns the exception of a failed REST exchange into it
 * (routes/config/rest-error-handling.camel.yaml calls it); {@link #body} is used by what answers
 * before Camel (request checks, Spring's and Tomcat's own errors). Malformed JSON and wrong types
 * are 400 with the offending field named. A 5xx never carries the cause's text (SQL, class names):
 * the cause goes to the log.
 */
@Component("apiErrors")
public class ApiErrors {

    static final String INTERNAL_ERROR_MESSAGE = "internal error (logged on the server)";

    private static final Logger log = LoggerFactory.getLogger(ApiErrors.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    public ApiError toResponse(Exchange exchange) {
        Throwable e = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        int status = 500;
        String message = INTERNAL_ERROR_MESSAGE;
        Throwable cause = e;
        while (cause != null) {
            if (cause instanceof ApiException api) {
                status = api.status();
                message = api.getMessage();
                break;
            }
            if (cause instanceof JsonProcessingException json) {
                status = 400;
                message = jsonMessage(json);
                break;
            }
            cause = cause.getCause();
        }
        if (status >= 500) {
            // the caller only sees a summary: the cause must reach the log
            log.error("REST request {} failed", exchange.getFromRouteId(), e);
        }
        exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, status);
        exchange.getMessage().setHeader(Exchange.CONTENT_TYPE, "application/json");
        if (cause instanceof ApiException && message != null && !message.isBlank()) {
            // a status the code chose with its message (the agent's 503 "hub unavailable …") is said as is
            return new ApiError(status, reason(status), message, Instant.now().toString());
        }
        return body(status, message);
    }

    /** The error body for a status; a 5xx message is replaced by a summary that names no internals. */
    public static ApiError body(int status, String message) {
        return new ApiError(status, reason(status), status >= 500 || message == null || message.isBlank()
                ? (status >= 500 ? INTERNAL_ERROR_MESSAGE : reason(status)) : message, Instant.now().toString());
    }

    /** A message about a JSON body that names the field and never a Java type. */
    static String jsonMessage(JsonProcessingException json) {
        if (json instanceof JsonMappingException mapping && !mapping.getPath().isEmpty()) {
            String field = mapping.getPath().stream().map(r -> r.getFieldName() != null ? r.getFieldName()
                    : "[" + r.getIndex() + "]").collect(Collectors.joining("."));
            if (mapping instanceof UnrecognizedPropertyException) {
                return "unknown field '" + field + "'";
            }
            if (mapping instanceof InvalidFormatException f) {
                return "invalid value for field '" + field + "': " + f.getValue() + " is not a "
                        + jsonType(f.getTargetType());
            }
            if (mapping instanceof MismatchedInputException m && m.getTargetType() != null) {
                return "invalid value for field '" + field + "': expected " + jsonType(m.getTargetType());
            }
            return "invalid value for field '" + field + "'";
        }
        if (json instanceof JsonMappingException) {
            return "the request body must be a JSON object";
        }
        return "malformed JSON: " + json.getOriginalMessage();
    }

    private static String jsonType(Class<?> type) {
        if (type == Boolean.class || type == boolean.class) {
            return "boolean (true or false)";
        }
        if (Number.class.isAssignableFrom(type) || type.isPrimitive()) {
            return "number";
        }
        if (type == String.class) {
            return "string";
        }
        return "JSON object";
    }

    /** Answers a servlet request with {@link #body} (filters that refuse a request before Camel sees it). */
    public static void write(HttpServletResponse response, int status, String message) throws IOException {
        response.setStatus(status);
        response.setContentType("application/json");
        response.setCharacterEncoding("UTF-8");
        response.getOutputStream().write(JSON.writeValueAsBytes(body(status, message)));
        response.flushBuffer();
    }

    public static String reason(int status) {
        HttpStatus known = HttpStatus.resolve(status);
        return known != null ? known.getReasonPhrase() : status >= 500 ? "Internal Server Error" : "Error";
    }
}
