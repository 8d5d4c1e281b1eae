package io.suitesync;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

@SpringBootApplication
@ConfigurationPropertiesScan
public class SuiteSyncApplication {

    public static void main(String[] args) {
        SpringApplication.run(SuiteSyncApplication.class, args);
    }
}
