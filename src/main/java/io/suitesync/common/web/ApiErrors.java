package io.suitesync.common.web;

import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Turns the exception of a failed REST exchange into {@code {status, error, message, timestamp}}
 * with the right HTTP status (routes/config/rest-error-handling.camel.yaml calls it). Malformed
 * JSON and wrong types are 400 with the offending field named.
 */
@Component("apiErrors")
public class ApiErrors {

    private static final Logger log = LoggerFactory.getLogger(ApiErrors.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    public Map<String, Object> toResponse(Exchange exchange) {
        Throwable e = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        int status = 500;
        String message = e == null ? "unknown error" : e.getMessage();
        Throwable cause = e;
        while (cause != null) {
            if (cause instanceof ApiException api) {
                status = api.status();
                message = api.getMessage();
                break;
            }
            if (cause instanceof JsonMappingException mapping && !mapping.getPath().isEmpty()) {
                status = 400;
                String field = mapping.getPath().stream().map(r -> r.getFieldName() != null ? r.getFieldName()
                        : "[" + r.getIndex() + "]").collect(Collectors.joining("."));
                message = "invalid value for field '" + field + "'"
                        + (mapping instanceof InvalidFormatException f ? ": " + f.getValue() + " is not a " + f.getTargetType().getSimpleName()
                        : mapping instanceof MismatchedInputException m && m.getTargetType() != null
                        ? ": expected " + m.getTargetType().getSimpleName() : "");
                break;
            }
            if (cause instanceof JsonProcessingException json) {
                status = 400;
                message = "malformed JSON: " + json.getOriginalMessage();
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
        return body(status, status == 500 ? "internal error: " + message : message);
    }

    /** The one error format of every HTTP answer: {@code {status, error, message, timestamp}}. */
    public static Map<String, Object> body(int status, String message) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", status);
        body.put("error", reason(status));
        body.put("message", message);
        body.put("timestamp", Instant.now().toString());
        return body;
    }

    /** Answers a servlet request with {@link #body} (filters that refuse a request before Camel sees it). */
    public static void write(HttpServletResponse response, int status, String message) throws IOException {
        response.setStatus(status);
        response.setContentType("application/json");
        response.setCharacterEncoding("UTF-8");
        response.getOutputStream().write(JSON.writeValueAsBytes(body(status, message)));
        response.flushBuffer();
    }

    private static String reason(int status) {
        return switch (status) {
            case 400 -> "Bad Request";
            case 401 -> "Unauthorized";
            case 403 -> "Forbidden";
            case 404 -> "Not Found";
            case 409 -> "Conflict";
            case 413 -> "Payload Too Large";
            case 429 -> "Too Many Requests";
            default -> status >= 500 ? "Internal Server Error" : "Error";
        };
    }
}
