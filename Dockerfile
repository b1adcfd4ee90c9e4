# The job image of the GitLab template (and any CI that runs containers): tcss-scan on PATH.
#   docker build -t ccr.ccs.tencentyun.com/acme/tcss-scan:1 .
# Stage 1 builds with Debian's POCO; stage 2 carries the binary and only the shared libraries
# it loads (tests/interop/dockerfile.test.sh checks this list against `ldd`).
FROM debian:bookworm-slim AS build
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      g++ cmake ninja-build libpoco-dev libfmt-dev libssl-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY CMakeLists.txt ./
COPY src ./src
RUN cmake -S . -B /build -G Ninja -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=OFF \
 && cmake --build /build --target tcss-scan tcss-emulator \
 && strip /build/bin/tcss-scan /build/bin/tcss-emulator

FROM debian:bookworm-slim
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      ca-certificates libfmt9 libssl3 libpcre3 libexpat1 \
      libpocofoundation80 libpocojson80 libpoconet80 libpoconetssl80 libpococrypto80 \
      libpocoutil80 libpocoxml80 \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --home-dir /nonexistent --shell /usr/sbin/nologin tcss
COPY --from=build /build/bin/tcss-scan /build/bin/tcss-emulator /usr/local/bin/
USER 10001
ENTRYPOINT ["/usr/local/bin/tcss-scan"]
