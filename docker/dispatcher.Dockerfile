# syntax=docker/dockerfile:1.7
# Dispatcher: HTTP and Kafka ingress, Kafka Streams request state, webhooks. No native libraries, no GPU.
# Build from the repository root:  docker build -f docker/dispatcher.Dockerfile -t sdfleet/dispatcher .
FROM eclipse-temurin:21-jdk-noble AS build
WORKDIR /src
COPY . .
RUN --mount=type=cache,target=/root/.m2 ./mvnw -B -q -DskipTests -pl dispatcher -am package

FROM eclipse-temurin:21-jre-noble
RUN useradd --system --uid 10001 --home /opt/sdfleet sdfleet \
 && mkdir -p /var/lib/sdfleet/state && chown -R sdfleet /var/lib/sdfleet
COPY --from=build /src/dispatcher/target/sdfleet-dispatcher.jar /opt/sdfleet/
COPY --from=build /src/dispatcher/target/lib /opt/sdfleet/lib
COPY docker/healthcheck.sh /opt/sdfleet/healthcheck.sh
# Kafka Streams' local RocksDB copies of the changelogs: rebuilt from Kafka when lost, faster when kept.
VOLUME ["/var/lib/sdfleet/state"]
ENV SDFLEET_STATE_DIR=/var/lib/sdfleet/state \
    SDFLEET_HTTP_PORT=8080 \
    JAVA_TOOL_OPTIONS="-XX:MaxRAMPercentage=60"
USER 10001
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s --start-period=60s CMD ["/opt/sdfleet/healthcheck.sh", "8080", "/health/ready"]
ENTRYPOINT ["java", "-cp", "/opt/sdfleet/sdfleet-dispatcher.jar:/opt/sdfleet/lib/*", "dev.sdfleet.dispatcher.DispatcherMain"]
