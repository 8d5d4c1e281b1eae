package io.suitesync.common.web;

import java.util.Locale;
import java.util.Set;
import org.apache.camel.Exchange;
import org.apache.camel.http.base.HttpHeaderFilterStrategy;
import org.springframework.stereotype.Component;

/**
 * Header filter of every REST endpoint ({@code camel.rest.endpoint-property.headerFilterStrategy}):
 * platform-http answers with the exchange's headers, which still hold the request's, so any request
 * header (credentials, {@code Set-Cookie}, {@code Access-Control-Allow-Origin}, …) would come back in
 * the response. Only the headers routes set on purpose pass: today that is {@code Content-Type}. A
 * route that sets another response header (say {@code Location}) adds its name here, and must set it
 * on every answer, or a request's value of it would pass.
 */
@Component("apiHeaderFilter")
public class ApiHeaderFilter extends HttpHeaderFilterStrategy {

    static final Set<String> RESPONSE_HEADERS = Set.of("content-type");

    @Override
    public boolean applyFilterToCamelHeaders(String headerName, Object headerValue, Exchange exchange) {
        return !RESPONSE_HEADERS.contains(headerName.toLowerCase(Locale.ROOT))
                || super.applyFilterToCamelHeaders(headerName, headerValue, exchange);
    }
}
