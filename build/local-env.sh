# The local mode's settings, shared by build/demo.sh and build/ops.sh (source it from the repository
# root): the PostgreSQL cluster of build/postgres.sh, a storage folder under .local/, and the local
# runner starting the built worker exactly as the Batch job definition does. A variable already set in
# the environment wins, so the same scripts reach another database or AWS (Runner__Kind=Batch, ...).
# Local mode is declared (LocalMode=true), never inferred: it is set here only while storage and runner
# are the local ones, since the API refuses it with S3 storage or the Batch runner (docs/configuration.md).
root=$(pwd)
port=${ACADEMY_API_PORT:-5080}
api="http://127.0.0.1:$port"
key=${ACADEMY_API_KEY:-demo-client-key-0123456789}
internal_key=${ACADEMY_INTERNAL_KEY:-demo-internal-key-0123456789}
worker_dll="$root/Academy.Video.Worker/bin/Release/net10.0/Academy.Video.Worker.dll"
api_dll="$root/Academy.Video.Api/bin/Release/net10.0/Academy.Video.Api.dll"

export ConnectionStrings__Postgres="${ConnectionStrings__Postgres:-$(build/postgres.sh url)}"
export Storage__Provider="${Storage__Provider:-Local}"
export Storage__Local__RootPath="${Storage__Local__RootPath:-$root/.local/storage}"
export Storage__Local__PublicBaseUrl="${Storage__Local__PublicBaseUrl:-$api}"
export Runner__Kind="${Runner__Kind:-Local}"
export Runner__Local__Command="${Runner__Local__Command:-dotnet}"
export Runner__Local__Arguments__0="${Runner__Local__Arguments__0:-$worker_dll}"
export Runner__Local__LogDirectory="${Runner__Local__LogDirectory:-$root/.local/runner-logs}"
export Runner__Local__WorkingDirectory="${Runner__Local__WorkingDirectory:-$root}"
export Auth__ApiKeys__0="${Auth__ApiKeys__0:-$key}"
export Auth__InternalApiKeys__0="${Auth__InternalApiKeys__0:-$internal_key}"
if [ "${Storage__Provider,,}" = local ] && [ "${Runner__Kind,,}" = local ]; then
  export LocalMode="${LocalMode:-true}"
fi
