package io.suitesync.common.web;

import java.util.List;
import org.apache.camel.http.base.HttpHeaderFilterStrategy;
import org.springframework.stereotype.Component;

/**
 * Header filter of every REST endpoint ({@code camel.rest.endpoint-property.headerFilterStrategy}):
 * platform-http answers with the exchange's headers, which still hold the request's, so credentials
 * would be echoed back in the response. Filtering them here covers every route at once.
 */
@Component("apiHeaderFilter")
public class ApiHeaderFilter extends HttpHeaderFilterStrategy {

    public ApiHeaderFilter() {
        getOutFilter().addAll(List.of("x-api-key", "authorization", "proxy-authorization", "cookie",
                "x-signature-sha256"));
    }
}
