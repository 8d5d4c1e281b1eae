package io.suitesync.common;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/** Prints {@link MissingServersException} as Spring Boot's "APPLICATION FAILED TO START" report, without a stack trace. */
public class MissingServersFailureAnalyzer extends AbstractFailureAnalyzer<MissingServersException> {

    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, MissingServersException cause) {
        return new FailureAnalysis(cause.getMessage(), cause.action(), cause);
    }
}
