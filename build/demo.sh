#!/usr/bin/env bash
# The main job, end to end on this machine with embedded defaults (no cloud account):
# local PostgreSQL, local storage folder, local process runner running the real worker binary.
#   build/demo.sh [path/to/video]    (without a path a 20 s 1080p test lecture is generated)
# It drives the real HTTP flow: create → upload → upload-complete → poll → READY, then prints
# where the master playlist is and how to play it.
set -euo pipefail
cd "$(dirname "$0")/.."
. build/local-env.sh
state="$root/.local/demo"
mkdir -p "$state"

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
json() { python3 -c "import json,sys; d=json.load(sys.stdin); print(eval(sys.argv[1], {}, {'d': d}))" "$1"; }

step "Installing what is missing (ffmpeg, PostgreSQL, ...)"
build/install-deps.sh

step "Starting the local PostgreSQL cluster"
build/postgres.sh start

step "Building the web console, the API and the worker"
build/console.sh
dotnet build Academy.Video.Api -c Release -nologo -v quiet
dotnet build Academy.Video.Worker -c Release -nologo -v quiet

source_video=${1:-}
if [ -z "$source_video" ]; then
  source_video="$state/sample-lecture.mp4"
  if [ ! -s "$source_video" ]; then
    step "Generating a 20 s 1080p30 sample lecture with audio"
    ffmpeg -hide_banner -loglevel error -y -f lavfi -i testsrc2=size=1920x1080:rate=30:duration=20 \
      -f lavfi -i sine=frequency=440:sample_rate=48000:duration=20 \
      -c:v libx264 -preset veryfast -pix_fmt yuv420p -c:a aac -shortest "$source_video"
  fi
fi
[ -s "$source_video" ] || { echo "demo: '$source_video' is missing or empty" >&2; exit 1; }

step "Starting the API on $api (local storage, local runner)"
if curl -fsS "$api/healthz" >/dev/null 2>&1; then
  echo "demo: something already answers on $api; stop it or set ACADEMY_API_PORT" >&2; exit 1
fi
export ASPNETCORE_URLS="$api"
# Workers inherit the Worker section of this environment (docs/configuration.md); a short heartbeat makes the progress display move smoothly.
export Worker__HeartbeatInterval=00:00:02
dotnet "$api_dll" > "$state/api.log" 2>&1 &
api_pid=$!
trap 'kill $api_pid 2>/dev/null || true; wait $api_pid 2>/dev/null || true' EXIT
for _ in $(seq 1 60); do
  curl -fsS "$api/readyz" >/dev/null 2>&1 && break
  kill -0 $api_pid 2>/dev/null || { echo "demo: the API exited; see $state/api.log" >&2; tail -20 "$state/api.log" >&2; exit 1; }
  sleep 1
done
curl -fsS "$api/readyz"; echo

step "POST /api/v1/videos"
size=$(stat -c %s "$source_video")
created=$(curl -fsS -X POST "$api/api/v1/videos" -H "X-Api-Key: $key" -H 'Content-Type: application/json' \
  -d "{\"title\":\"Demo lecture\",\"fileName\":\"$(basename "$source_video")\",\"contentType\":\"video/mp4\",\"sizeBytes\":$size}")
video_id=$(echo "$created" | json "d['videoId']")
echo "video $video_id"

if [ "$(echo "$created" | json "d['upload']['multipart'] is None")" = True ]; then
  step "PUT the source straight to the upload URL ($((size / 1024)) KiB)"
  upload_url=$(echo "$created" | json "d['upload']['url']")
  curl -fsS -X PUT "$upload_url" -H 'Content-Type: video/mp4' --data-binary "@$source_video" -o /dev/null -w 'HTTP %{http_code}\n'
else
  # At or above Upload:MultipartThreshold (64 MiB) the source goes up in parts, each of its exact size.
  part_size=$(echo "$created" | json "d['upload']['multipart']['partSizeBytes']")
  step "PUT the source in parts of $((part_size / 1048576)) MiB ($((size / 1048576)) MiB)"
  echo "$created" | json "'\\n'.join('%d %d %s' % (p['partNumber'], p['sizeBytes'], p['url']) for p in d['upload']['multipart']['parts'])" |
  while read -r number part_bytes url; do
    dd if="$source_video" iflag=skip_bytes,count_bytes skip=$(( (number - 1) * part_size )) count="$part_bytes" bs=1M status=none |
      curl -fsS -X PUT "$url" --data-binary @- -o /dev/null -w "part $number: HTTP %{http_code}\n"
  done
fi

step "POST /api/v1/videos/$video_id/upload-complete"
curl -fsS -X POST "$api/api/v1/videos/$video_id/upload-complete" -H "X-Api-Key: $key" | json "'job %s %s (batch id %s)' % (d['jobId'], d['state'], d['batchJobId'])"

step "Polling until READY"
while true; do
  video=$(curl -fsS "$api/api/v1/videos/$video_id" -H "X-Api-Key: $key")
  status=$(echo "$video" | json "d['status']")
  progress=$(echo "$video" | json "d['progressPercent']")
  job_state=$(echo "$video" | json "(d['job'] or {}).get('state')")
  bar=$(printf '%*s' $((progress / 5)) '' | tr ' ' '#')
  printf '\r  %-10s job %-10s [%-20s] %3s%%' "$status" "$job_state" "$bar" "$progress"
  case "$status" in
    READY) echo; break ;;
    FAILED) echo; echo "$video" | python3 -m json.tool; echo "demo: the video FAILED; worker logs are in .local/runner-logs" >&2; exit 1 ;;
  esac
  sleep 1
done

hls_path=$(echo "$video" | json "d['hlsPath']")
playback=$(echo "$video" | json "d['playbackUrl']")
master="$root/.local/storage/$hls_path"
step "READY"
echo "master playlist (file): $master"
echo "master playlist (HTTP): $playback"
echo "renditions:"; grep -E '^#EXT-X-STREAM-INF' "$master" | sed 's/^/  /'
ffprobe -v error -show_entries format=duration -of csv=p=0 "$playback" | sed 's/^/  playable over HTTP, duration (s): /'
poster=$(echo "$video" | json "d['posterUrl']")
storyboard=$(echo "$video" | json "d['storyboardUrl']")
echo "poster:     $poster ($(curl -fsS "$poster" | ffprobe -v error -show_entries stream=codec_name,width,height -of csv=p=0 -i - 2>/dev/null))"
echo "storyboard: $storyboard ($(curl -fsS "$storyboard" | grep -c -- '-->') thumbnails)"
echo "source:     $(echo "$video" | json "d['source']")"
echo "top rung:   $(echo "$video" | json "'%s: %s' % (d['job']['topRungCode'], d['job']['topRungReason'])")"
echo
echo "The console: $api/admin/videos/$video_id (sign in with the client key $key, or the operator key $internal_key)"
echo "Play it: ffplay '$master'"
if [ -t 0 ]; then
  echo "     or: open $playback in VLC or Safari."
  read -r -p "The API keeps serving it until you press Enter. " _
fi
