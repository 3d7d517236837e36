# syntax=docker/dockerfile:1.7
# Dispatcher: HTTP and Kafka ingress, Kafka Streams request state, webhooks. No native libraries, no GPU.
# Build from the repository root:  docker build -f docker/dispatcher.Dockerfile -t sdfleet/dispatcher .
FROM eclipse-temurin:21-jdk-noble AS build
WORKDIR /src
COPY . .
RUN --mount=type=cache,target=/root/.m2 ./mvnw -B -q -DskipTests -pl dispatcher -am package

FROM eclipse-temurin:21-jre-noble
# A numeric user and group (Kubernetes' runAsNonRoot can only verify a numeric USER).
RUN groupadd --system --gid 10001 sdfleet \
 && useradd --system --uid 10001 --gid 10001 --home /opt/sdfleet sdfleet \
 && mkdir -p /var/lib/sdfleet/state && chown -R 10001:10001 /var/lib/sdfleet
COPY --from=build /src/dispatcher/target/sdfleet-dispatcher.jar /opt/sdfleet/
COPY --from=build /src/dispatcher/target/lib /opt/sdfleet/lib
COPY docker/healthcheck.sh /opt/sdfleet/healthcheck.sh
# Kafka Streams' local RocksDB copies of the changelogs: rebuilt from Kafka when lost, faster when kept. The image
# runs with a read-only root file system: these two volumes are all it writes (/tmp: java.io.tmpdir, where RocksDB
# unpacks its JNI library).
VOLUME ["/var/lib/sdfleet/state", "/tmp"]
# The API on 8080; /metrics and /health/* on 9090 only (SDFLEET_OPS_PORT). The log is JSON lines for the log
# shipper (SDFLEET_LOG_FORMAT=text for a person reading `docker logs`).
ENV SDFLEET_STATE_DIR=/var/lib/sdfleet/state \
    SDFLEET_LOG_FORMAT=json \
    SDFLEET_HTTP_PORT=8080 \
    SDFLEET_OPS_PORT=9090 \
    JAVA_TOOL_OPTIONS="-XX:MaxRAMPercentage=60 -Djava.io.tmpdir=/tmp"
USER 10001:10001
EXPOSE 8080 9090
HEALTHCHECK --interval=10s --timeout=3s --start-period=60s CMD ["/opt/sdfleet/healthcheck.sh", "9090", "/health/ready"]
ENTRYPOINT ["java", "-cp", "/opt/sdfleet/sdfleet-dispatcher.jar:/opt/sdfleet/lib/*", "dev.sdfleet.dispatcher.DispatcherMain"]
