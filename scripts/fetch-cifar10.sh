#!/usr/bin/env bash
# Fetch CIFAR-10 in the official binary layout (data_batch_1..5.bin, test_batch.bin).
#
#   scripts/fetch-cifar10.sh [--from ARCHIVE|DIR] [DEST]
#
# DEST defaults to data/cifar-10-batches-bin under the repository root. If DEST already
# holds the six files at their official size, nothing is done. The source is, in order:
#   --from ARCHIVE|DIR, else $CLAE_CIFAR_ARCHIVE, else a download of the official
#   cifar-10-binary.tar.gz (md5 checked). An archive or folder may hold either the
#   binary release (cifar-10-batches-bin/) or images as train/<class>/*, test/<class>/*
#   (at its top or one folder down, like cifar-10-jpeg.tar.gz), which are converted with
#   'clae data import' ($CLAE_BIN, else build/clae, else clae on PATH).
# Everything happens in a temporary folder beside DEST, renamed into place at the end:
# an interrupted or failed run leaves DEST as it was.
set -euo pipefail

me=fetch-cifar10
url=https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz
official_md5=c32a1d4ab5d03f1284b67883e8d87530
record=3073
official_size=30730000
files=(data_batch_1.bin data_batch_2.bin data_batch_3.bin data_batch_4.bin data_batch_5.bin
  test_batch.bin)
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

die() {
  echo "$me: $*" >&2
  exit 1
}

usage() {
  sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "${BASH_SOURCE[0]}"
}

size_of() { wc -c <"$1" | tr -d ' '; }

# complete DIR: the six files at the official size
complete() {
  local f
  for f in "${files[@]}"; do
    [ -f "$1/$f" ] && [ "$(size_of "$1/$f")" -eq "$official_size" ] || return 1
  done
}

md5_of() {
  if command -v md5sum >/dev/null; then
    md5sum "$1" | cut -d' ' -f1
  elif command -v md5 >/dev/null; then
    md5 -q "$1"
  else
    die "neither md5sum nor md5 found to verify $1"
  fi
}

check_md5() {
  local sum
  sum=$(md5_of "$1") || exit 1
  [ "$sum" = "$official_md5" ] || die "$1: md5 $sum, expected $official_md5 (corrupt or partial download?)"
  echo "md5 ok: $1"
}

find_clae() {
  if [ -n "${CLAE_BIN:-}" ]; then
    [ -x "$CLAE_BIN" ] || die "CLAE_BIN=$CLAE_BIN is not an executable"
    echo "$CLAE_BIN"
  elif [ -x "$root/build/clae" ]; then
    echo "$root/build/clae"
  elif command -v clae >/dev/null; then
    command -v clae
  else
    die "cannot find the clae binary to import images: build it (scripts/build.sh) or set CLAE_BIN"
  fi
}

# from_folder DIR MOVE: fill $work/out from DIR (binary release or image folders).
# MOVE=1: DIR is ours (unpacked in $work), so files may be moved instead of copied.
from_folder() {
  local d=$1 move=$2 bin="" imgs="" s f
  if [ -f "$d/${files[0]}" ]; then
    bin=$d
  elif [ -d "$d/cifar-10-batches-bin" ]; then
    bin=$d/cifar-10-batches-bin
  elif [ -d "$d/train" ] && [ -d "$d/test" ]; then
    imgs=$d
  else
    for s in "$d"/*/; do
      if [ -d "$s/cifar-10-batches-bin" ]; then
        [ -z "$bin" ] || die "$d: more than one cifar-10-batches-bin/ inside"
        bin=${s%/}/cifar-10-batches-bin
      elif [ -d "$s/train" ] && [ -d "$s/test" ]; then
        [ -z "$imgs" ] || die "$d: more than one folder with train/ and test/ inside"
        imgs=${s%/}
      fi
    done
  fi
  if [ -n "$bin" ]; then
    mkdir "$work/out"
    for f in "${files[@]}" batches.meta.txt readme.html; do
      if [ -f "$bin/$f" ]; then
        if [ "$move" = 1 ]; then mv "$bin/$f" "$work/out/"; else cp "$bin/$f" "$work/out/"; fi
      elif [ "$f" != batches.meta.txt ] && [ "$f" != readme.html ]; then
        die "$bin/$f: missing"
      fi
    done
  elif [ -n "$imgs" ]; then
    local clae
    clae=$(find_clae) || exit 1
    echo "importing images from $imgs with $clae"
    "$clae" data import "$imgs" "$work/out" || die "import of $imgs failed"
  else
    die "$d: holds neither cifar-10-batches-bin/ nor train/ and test/ image folders"
  fi
}

download() {
  local archive=$work/cifar-10-binary.tar.gz rc=0 how
  echo "downloading $url (about 163 MB)"
  if command -v curl >/dev/null; then
    how=curl
    curl -fsL --retry 2 --connect-timeout 20 -o "$archive" "$url" || rc=$?
  elif command -v wget >/dev/null; then
    how=wget
    wget -q --tries=3 --timeout=20 -O "$archive" "$url" || rc=$?
  else
    how="no curl or wget"
    rc=127
  fi
  [ "$rc" -eq 0 ] || die "cannot download $url ($how exit $rc); set CLAE_CIFAR_ARCHIVE=FILE|DIR or pass --from ARCHIVE|DIR (cifar-10-binary.tar.gz, or train/ and test/ image folders)"
  from_archive "$archive" # checks the md5 (by its name)
}

from_archive() {
  case $(basename "$1") in
    cifar-10-binary.tar.gz) check_md5 "$1" ;;
  esac
  echo "unpacking $1"
  mkdir "$work/x"
  tar -xf "$1" -C "$work/x" || die "$1: cannot unpack"
  from_folder "$work/x" 1
}

src=${CLAE_CIFAR_ARCHIVE:-}
dest=""
while [ $# -gt 0 ]; do
  case $1 in
    --from)
      [ $# -ge 2 ] || die "--from needs an archive or folder"
      src=$2
      shift 2
      ;;
    --from=*)
      src=${1#--from=}
      shift
      ;;
    -h | --help)
      usage
      exit 0
      ;;
    -*) die "unknown option '$1' (try --help)" ;;
    *)
      [ -z "$dest" ] || die "unexpected argument '$1' (try --help)"
      dest=$1
      shift
      ;;
  esac
done
dest=${dest:-$root/data/cifar-10-batches-bin}
dest=${dest%/}

if complete "$dest"; then
  echo "$dest already holds the six CIFAR-10 files at $official_size bytes each; nothing to do"
  exit 0
fi
# Never replace a folder holding anything but dataset files.
if [ -e "$dest" ]; then
  [ -d "$dest" ] || die "$dest exists and is not a folder"
  for f in "$dest"/* "$dest"/.[!.]*; do
    [ -e "$f" ] || continue
    case $(basename "$f") in
      *.bin | batches.meta.txt | readme.html) ;;
      *) die "$dest holds other files ($f); remove it or choose another DEST" ;;
    esac
  done
fi

parent=$(dirname "$dest")
mkdir -p "$parent"
work=$(mktemp -d "$parent/.$me.XXXXXX")
trap 'rm -rf "$work"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

if [ -n "$src" ]; then
  if [ -f "$src" ]; then
    from_archive "$src"
  elif [ -d "$src" ]; then
    from_folder "$src" 0
  else
    die "$src: no such archive or folder"
  fi
else
  download
fi

for f in "${files[@]}"; do
  [ -f "$work/out/$f" ] || die "$f: missing from the result"
  n=$(size_of "$work/out/$f")
  if [ "$n" -eq 0 ] || [ $((n % record)) -ne 0 ]; then
    die "$f: size $n is not a whole, non-zero number of $record-byte records"
  fi
done

if [ -e "$dest" ]; then mv "$dest" "$work/old"; fi
if ! mv "$work/out" "$dest"; then
  if [ -e "$work/old" ]; then mv "$work/old" "$dest"; fi
  die "cannot move the result into $dest"
fi

echo "CIFAR-10 in $dest:"
for f in "${files[@]}"; do
  printf '  %-16s %10d bytes\n' "$f" "$(size_of "$dest/$f")"
done
complete "$dest" || echo "note: sizes differ from the official release ($official_size bytes a file)"
