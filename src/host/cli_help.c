/* The commands' help texts, as data: what `clae CMD --help` prints before the help of CMD's
 * options (its usage and what it does; for train also after them). The options' own lines come
 * from each command's table in cmd_CMD.c; clae_cmdline_parse prints the whole. */
#include "clae/cifar.h"
#include "clae/clz.h"
#include "clae/plot.h"
#include "clae/plot_scatter.h"
#include "clae/vae.h"
#include "cli.h"

const char CLAE_ABOUT_BENCH[] =
    "usage: clae bench [CONFIG] [--batch N] [--device N|ref] [--repeats R] [--warmup W]\n"
    "                  [--json FILE]\n"
    "  times each part of CONFIG's training step (every layer's forward, activation,\n"
    "  input gradient and parameter gradients; MSE loss, zero-grad, Adam) and the\n"
    "  whole step, with FLOPs, bytes, GFLOP/s and GB/s against the device's FMA and copy\n"
    "  probes. Device times come from OpenCL profiling events.\n";

const char CLAE_ABOUT_TUNE[] =
    "usage: clae tune [CONFIG] [--batch N] [--device N] [--repeats R] [--budget-s S]\n"
    "                 [--dry-run]\n"
    "  searches the direct convolution kernels' parameters (output channels per\n"
    "  work-item, weight-gradient channels and images per slice, work-group shape) for\n"
    "  every direct-convolution shape of CONFIG's training step (each layer's forward\n"
    "  pass, input gradient and weight gradient; default configs/denoiser.cfg at its\n"
    "  batch): each candidate runs once on random data and is checked against the\n"
    "  reference (a wrong one, or one that fails to build, is reported and skipped),\n"
    "  then timed with OpenCL profiling events; the fastest is kept. Prints a table\n"
    "  (shape, candidates passed, default and best ms, speedup, parameters) and writes\n"
    "  the device's tuning file beside the kernel cache ($XDG_CACHE_HOME or ~/.cache:\n"
    "  clae/tune-HASH.json, one per platform, device and driver; other shapes' entries\n"
    "  kept), which every later run on that device reads. Shapes without an entry take\n"
    "  the device class's defaults; CLAE_NO_TUNE=1 ignores the file.\n";

const char CLAE_ABOUT_COMPILE[] =
    "usage: clae compile [CONFIG...] [--device N|ref] [--jobs N]\n"
    "  builds the OpenCL kernels that training CONFIG launches, ahead of its first run:\n"
    "  its training runs once on made-up images of its shape (two steps, validation and\n"
    "  a test pass; nothing is kept) and the compiled kernels stay in the kernel cache\n"
    "  ($XDG_CACHE_HOME or ~/.cache: clae/, and pocl/ on PoCL), so that 'clae train\n"
    "  CONFIG' starts at once. Commands that run other shapes (denoise of a larger\n"
    "  image, sample) may still compile on their first use.\n";

const char CLAE_ABOUT_COMPRESS[] =
    "usage: clae compress CKPT IN OUT.clz [--bits B] [--layer NAME|INDEX] [--device N|ref]\n"
    "  lossy compression with a trained autoencoder: the image IN (PNG/JPG/BMP of the\n"
    "  model's height and width; other sizes are refused, not padded; grey or RGB,\n"
    "  converted to the model's channels as denoise does, alpha dropped) goes through\n"
    "  the encoder to the code layer, whose output is quantised uniformly to B bits a\n"
    "  value between its own min and max and deflated (zlib). OUT.clz: a "
    CLAE_STR(CLAE_CLZ_HEADER_BYTES) "-byte header\n"
    "  (magic CLZ, version, bits, the image's and the code's shapes, the code layer,\n"
    "  min and max, a fingerprint of the model's weights), then the payload; written\n"
    "  atomically. clae decompress with the same checkpoint reads it back\n";

const char CLAE_ABOUT_DECOMPRESS[] =
    "usage: clae decompress CKPT IN.clz OUT [--device N|ref]\n"
    "  the image of a .clz file of clae compress: its code dequantised and run through\n"
    "  the layers after the code layer of the model in CKPT, written to OUT (.png, .jpg\n"
    "  or .bmp; the model's channels) atomically. A file made with another model (its\n"
    "  weights' fingerprint or shapes differ) is refused\n";

const char CLAE_ABOUT_RATE_DISTORTION[] =
    "usage: clae rate-distortion CKPT... [options]\n"
    "  compression against JPEG over the CIFAR-10 test split, in one process: for each\n"
    "  checkpoint at each bit depth, every test image's .clz file as clae compress\n"
    "  writes it (made and read back in memory) and its decode; the unquantised code\n"
    "  (float32, 32 bits a value); and JPEG at each quality (stb_image_write's encoder,\n"
    "  stb_image's decoder; 4:2:0 chroma up to quality 90). For each: the mean bits per\n"
    "  pixel of the whole files (bytes x 8 / (H x W)) and without the fixed headers\n"
    "  (payload_bpp: a .clz file's " CLAE_STR(CLAE_CLZ_HEADER_BYTES)
    " bytes; a JPEG's markers and tables, its scan\n"
    "  alone), the mean PSNR and SSIM as clae eval computes them. WebP is not offered\n"
    "  (no WebP development library is packaged here)\n";

const char CLAE_ABOUT_SWAP[] =
    "usage: clae swap CKPT IN OUT --to NAME [--device N|ref]\n"
    "  a model with branches (one encoder, two decoders: [branch] sections) applied\n"
    "  across: IN (PNG, JPG or BMP, any size) encoded by the shared trunk and decoded by\n"
    "  branch NAME's layers, written to OUT in IN's channel layout. An image of one\n"
    "  branch's kind decoded by the other's layers is the face-swap construction.\n";

const char CLAE_ABOUT_DATA[] =
    "usage: clae data import DIR OUT [--size H,W] [--channels 1|3] [--threads N]\n"
    "       clae data info DIR\n"
    "\n"
    "import: read DIR/train/<class>/* and DIR/test/<class>/* (.png .jpg .jpeg .bmp\n"
    "  .gif .tga .ppm .pgm .pnm) and write them into OUT with batches.meta.txt\n"
    "  (class names, one a line):\n"
    "  - 32x32 RGB images: CIFAR-10's binary layout, data_batch_1..5.bin and\n"
    "    test_batch.bin (records of 1 label byte + 1024 R, 1024 G, 1024 B bytes);\n"
    "  - any other size: clae's layout, train.safetensors and test.safetensors,\n"
    "    each a U8 tensor 'images' (N,C,H,W) and a U8 tensor 'labels' (N), with\n"
    "    metadata format=" CLAE_DATA_FORMAT ", height, width, channels, count and\n"
    "    classes (the names, one a line); numpy and PyTorch read them.\n"
    "  Train on them with a config whose [net] input is H,W,C.\n"
    "  Labels: class folders sorted by name -> 0, 1, ...; images sorted by name\n"
    "  within a class; records interleaved round-robin over classes, so any\n"
    "  prefix (or the last 20%) of the train set holds every class.\n"
    "  Other files (not of those types; names starting with '.' are ignored)\n"
    "  are skipped and counted; an image file that does not decode is an error.\n"
    "  --size H,W     every image to H x W: the centred window of H:W's aspect\n"
    "                 ratio, scaled (stb_image_resize); H x W images as they are.\n"
    "                 Without it every image must have the first one's size.\n"
    "                 One number: a square.\n"
    "  --channels 1|3 convert every image to grey or RGB (alpha dropped); without\n"
    "                 it every image must be RGB\n"
    "  --threads N    decoding threads (default: online CPUs, at most 8)\n"
    "info: load DIR (either layout; for CIFAR-10's also its parent holding\n"
    "  cifar-10-batches-bin/) and print per-split shape, record and label counts.\n";

const char CLAE_ABOUT_DENOISE[] =
    "usage: clae denoise CKPT IN OUT [options]\n"
    "  restore the image IN (PNG/JPG/BMP, any size) with the model in CKPT and\n"
    "  write OUT (.png, .jpg or .bmp); the image is reflect-padded to a multiple of\n"
    "  the model's downsampling and cropped back; an image too large for the\n"
    "  device's memory (on --device ref: half the host's) runs in overlapping tiles\n"
    "  with the same output\n"
    "  channels: IN may be grey, grey + alpha, RGB or RGBA. An RGB model is given\n"
    "  grey as R = G = B, a grey model RGB as its ITU-R BT.601 luma (0.299 R +\n"
    "  0.587 G + 0.114 B); OUT has IN's layout (grey IN: grey OUT; RGB IN through a\n"
    "  grey model: R = G = B). The alpha channel bypasses the model and comes back\n"
    "  unchanged in a .png OUT; a .bmp keeps RGBA's alpha, not grey + alpha's; a\n"
    "  .jpg has no alpha: dropped, the colours kept as they are. A model of 2 or 4\n"
    "  channels takes images of exactly that many, all given to it.\n";

const char CLAE_ABOUT_DEVICES[] =
    "usage: clae devices\n  lists platforms and devices; the default is marked *\n";

const char CLAE_ABOUT_ENCODE[] =
    "usage: clae encode CKPT OUT.npy [options]\n"
    "  the codes of a CIFAR-10 split: the output of one layer of the model in CKPT for\n"
    "  every image, as a NumPy float32 array in OUT.npy of shape (N, C, H, W), the\n"
    "  layer's own NCHW order, or (N, C) when H = W = 1 (after [dense], [sampling]),\n"
    "  and the images' labels as uint8 (N,) in OUT-labels.npy; numpy.load reads both.\n"
    "  Each image is corrupted as the checkpoint's config says (e.g. blurred) before\n"
    "  it goes in, as eval does: a denoiser's codes are those of its blurred inputs.\n"
    "  At inference a [sampling] layer gives its mean and dropout drops nothing.\n"
    "  Prints the codes' statistics over all values: mean, mean |v|, the fraction\n"
    "  exactly zero (|v| < 1e-6), the fraction below 0.01 x the largest |v|, and the\n"
    "  non-zero values (|v| >= 1e-6) per image\n";

const char CLAE_ABOUT_EVAL[] =
    "usage: clae eval CKPT [options]\n"
    "  metrics of the model in CKPT on the CIFAR-10 test set, each image corrupted as\n"
    "  the checkpoint's config says (e.g. blurred), against doing nothing; of a\n"
    "  classifier (target = labels): its test loss, accuracy and confusion matrix\n";

const char CLAE_ABOUT_EXPORT[] =
    "usage: clae export CKPT OUT.safetensors\n"
    "  writes the weights of CKPT without its optimizer state (Adam moments or SGD's\n"
    "  velocity), keeping its config and metadata: eval, show, denoise, encode,\n"
    "  sample and clae train --weights/--transfer read it; --resume needs the\n"
    "  original. Written atomically; OUT may not be CKPT itself\n";

const char CLAE_ABOUT_INIT[] =
    "usage: clae init CONFIG OUT.safetensors [--seed S] [--overwrite]\n"
    "  writes a checkpoint for the model in CONFIG: Glorot-uniform weights, zero\n"
    "  biases, zero Adam moments, epoch 0, step 0\n";

const char CLAE_ABOUT_INPAINT[] =
    "usage: clae inpaint CKPT IN OUT (--mask X,Y,W,H ... | --mask-png M.png) [options]\n"
    "  fill the holes of the image IN (PNG/JPG/BMP, any size) with the model in CKPT,\n"
    "  one trained with corrupt = mask: the holes are set to 0 as in training, the\n"
    "  model restores the image, and OUT keeps IN's pixels outside the holes and the\n"
    "  model's inside them; IN's channels are converted as denoise does (grey,\n"
    "  grey + alpha, RGB, RGBA), and a large IN runs in tiles as there\n";

const char CLAE_ABOUT_LAYERS[] =
    "usage: clae layers [--all | --markdown]\n"
    "  lists every layer kind a config may use, with its keys, defaults and values\n";

const char CLAE_ABOUT_PLOT_CODES[] =
    "usage: clae plot-codes CKPT OUT.png [options]\n"
    "  what the encoder learned: the codes of the first N CIFAR-10 test images (the\n"
    "  output of one layer, as clae encode computes them: each image corrupted as\n"
    "  the config says first) as dots in 2-D, a colour per class (tab10), a legend of\n"
    "  the class names (the data folder's batches.meta.txt, else the label numbers).\n"
    "  A layer of more than 2 values an image is projected on its two principal\n"
    "  components (PCA over the images drawn, in double precision), each axis\n"
    "  labelled with the fraction of the codes' variance it holds, printed too; a\n"
    "  layer of exactly 2 (a [dense] of units = 2) is drawn as it is, axes code[0]\n"
    "  and code[1]. t-SNE is not offered: no maintained C library of it is packaged.\n"
    "  OUT: a PNG, " CLAE_STR(CLAE_SCATTER_W) "x" CLAE_STR(CLAE_SCATTER_H) "\n";

const char CLAE_ABOUT_PLOT[] =
    "usage: clae plot HISTORY OUT.png [--title T]\n"
    "  HISTORY: JSON lines, one object per epoch with epoch, train_loss and val_loss\n"
    "  (the history.jsonl 'clae train' writes into its output folder); OUT: a PNG,\n"
    "  " CLAE_STR(CLAE_PLOT_W) "x" CLAE_STR(CLAE_PLOT_H)
    ", titled with the run (its folder's name, or --title): train and\n"
    "  val loss against epoch, on a log axis when they span more than a factor of\n"
    "  five; on a right axis the val PSNR (dB) where measured, else a classifier's\n"
    "  val accuracy (%); a model with loss terms gets a second panel ("
    CLAE_STR(CLAE_PLOT_TERMS_H) " pixels\n"
    "  taller) of each term's train (solid) and val (dashed) mean. Text in DejaVu\n"
    "  Sans (fonts-dejavu-core; CLAE_FONT=FILE.ttf names another font,\n"
    "  CLAE_FONT=builtin draws the 5x7 bitmap font)\n";

const char CLAE_ABOUT_SAMPLE[] =
    "usage: clae sample CKPT N OUT.png [options]\n"
    "  decode N codes z ~ N(0, I) with the variational autoencoder in CKPT (the layers\n"
    "  after its first [sampling] layer) into a grid of images, each enlarged x"
    CLAE_STR(CLAE_VAE_SCALE) ",\n"
    "  " CLAE_STR(CLAE_VAE_GAP) " pixels apart; N from 1 to " CLAE_STR(CLAE_SAMPLE_MAX_N)
    "; the same seed gives the same first images\n"
    "  for any N\n";

const char CLAE_ABOUT_INTERPOLATE[] =
    "usage: clae interpolate CKPT A B OUT.png [options]\n"
    "  one row of images from CIFAR-10 test image A to test image B through the latent\n"
    "  space of the variational autoencoder in CKPT: A, then the decodes of\n"
    "  z = (1 - t) mu_A + t mu_B for K values of t from 0 to 1, then B; mu is the\n"
    "  code of the first [sampling] layer outside training (its mean), encoded from\n"
    "  the image corrupted as the checkpoint's config says (corrupt = none: as it is),\n"
    "  the way eval and show feed the model; A and B are shown as they are. Every\n"
    "  image enlarged x" CLAE_STR(CLAE_VAE_SCALE) ", " CLAE_STR(CLAE_VAE_GAP)
    " pixels apart\n";

const char CLAE_ABOUT_SCORE[] =
    "usage: clae score CKPT OUT.csv [options]\n"
    "  anomaly scores: every CIFAR-10 test image (all classes) through the model in\n"
    "  CKPT, corrupted as its config says (corrupt = none: as it is), and its\n"
    "  reconstruction error against the clean image. OUT.csv has a line per image:\n"
    "  index,label,mse,ssim (written atomically). When the checkpoint was trained on\n"
    "  some classes only (clae train --classes, [train] classes), the others are the\n"
    "  anomalies: prints the ROC-AUC of the MSE and of 1 - SSIM as anomaly scores\n";

const char CLAE_ABOUT_SELFTEST[] =
    "usage: clae selftest [--device N] [--quick] [--seed S]\n"
    "  runs every op family (forward and backward, the denoiser's shapes and odd\n"
    "  ones, both convolution paths) and three training steps on an OpenCL device\n"
    "  and on the plain-C reference path from the same random inputs, and prints\n"
    "  each comparison (op, worst error, tolerance, pass) and a verdict. Run it\n"
    "  first on a new device or driver; exit 1 when any check fails.\n";

const char CLAE_ABOUT_SUMMARY[] =
    "usage: clae summary CONFIG [--device N|ref]\n"
    "  prints the model in CONFIG: each layer's output shape and parameter count\n";

const char CLAE_ABOUT_TRAIN[] =
    "usage: clae train CONFIG [options]        a new run\n"
    "       clae train --resume CKPT [options]  continue a run where it stopped\n";

const char CLAE_MORE_TRAIN[] =
    "Command-line options win over the config's [train] section.\n"
    "Ctrl-C finishes the current step, writes OUT/last.safetensors and exits.\n"
    "In each epoch's line, '*' after the val loss marks the lowest so far: that\n"
    "epoch's weights were saved to OUT/best.safetensors.\n";
