"""A clae config as a Keras 3 model (NHWC, the functional API), for training benchmarks.

    from clae_keras import build; model = build(bench_config.load("configs/vae.cfg"))

Layer by layer from the specs scripts/clae2torch.py parses (scripts/bench_config.py):
[conv2d] Conv2D, [conv2d_transpose] Conv2DTranspose (clae's shapes are Keras's, 'same'
included), [maxpool] MaxPooling2D, [avgpool] AveragePooling2D, [upsampling2d]
UpSampling2D, [dropout] Dropout, [flatten] Flatten, [dense] Dense, [reshape] Reshape,
[add] Add (from = input or a named layer), [sampling] a layer that draws z = mean +
exp(log-variance / 2) * eps in training and adds clae's KL term with add_loss; activations
linear, relu, sigmoid, tanh, leaky_relu (alpha), softmax. The weights are Keras's fresh ones:
the model is for timing, not for loading clae's checkpoints (Flatten's order is HWC, clae's
CHW). [bed_of_nails] and [max_unpooling2d] have no Keras layer: refused in one line.
"""
import bench_config

Bad = bench_config.Bad
KINDS = ("conv2d", "conv2d_transpose", "maxpool", "avgpool", "upsampling2d", "dropout", "flatten",
         "dense", "reshape", "add", "sampling")


def check(cfg):
    """Bad (one line naming the layer) unless every layer of cfg has a Keras form here."""
    for s in cfg.specs:
        if s["kind"] not in KINDS:
            raise Bad(f"{cfg.path}: {s['where']}: layer kind '{s['kind']}' has no Keras form in "
                      "scripts/clae_keras.py")


def _activation(keras, x, s):
    a = s["activation"]
    if a == "leaky_relu":
        return keras.layers.LeakyReLU(negative_slope=s["alpha"])(x)
    return x if a == "linear" else keras.layers.Activation(a)(x)


def _sampling_layer(keras):
    ops = keras.ops

    class Sampling(keras.layers.Layer):
        """clae's [sampling]: the input's channels 0..latent-1 the mean, the rest the
        log-variance; KL term kl_weight * mean over the batch of the per-image sum of
        -(1 + log-variance - mean^2 - variance) / 2 (src/host/layers/sampling.c)."""

        def __init__(self, latent, kl_weight, **kw):
            super().__init__(**kw)
            self.latent, self.kl_weight = latent, kl_weight
            self.seed = keras.random.SeedGenerator(0)

        def call(self, x, training=None):
            mu, log_var = x[..., :self.latent], x[..., self.latent:]
            per = -(1 + log_var - mu * mu - ops.exp(log_var)) / 2
            per = ops.sum(ops.reshape(per, (ops.shape(per)[0], -1)), axis=1)
            self.add_loss(self.kl_weight * ops.mean(per))
            if not training:
                return mu
            eps = keras.random.normal(ops.shape(mu), seed=self.seed)
            return mu + ops.exp(log_var / 2) * eps

    return Sampling


def _layer(keras, s, x, outs, inp):
    """-> the output of layer s on x (outs: earlier outputs; inp: the model's input)."""
    L, k = keras.layers, s["kind"]
    if k in ("conv2d", "conv2d_transpose"):
        cls = L.Conv2D if k == "conv2d" else L.Conv2DTranspose
        x = cls(s["K"], (s["R"], s["S"]), strides=(s["sh"], s["sw"]), padding=s["padding"])(x)
        return _activation(keras, x, s)
    if k in ("maxpool", "avgpool"):
        cls = L.MaxPooling2D if k == "maxpool" else L.AveragePooling2D
        return cls((s["R"], s["S"]), strides=(s["sh"], s["sw"]), padding=s["padding"])(x)
    if k == "upsampling2d":
        return L.UpSampling2D((s["sh"], s["sw"]), interpolation=s["interpolation"])(x)
    if k == "dropout":
        return L.Dropout(float(s["rate"]))(x)
    if k == "flatten":
        return L.Flatten()(x)
    if k == "dense":
        return _activation(keras, L.Dense(s["units"])(x), s)
    if k == "reshape":
        C, H, W = s["out"]
        return L.Reshape((H, W, C))(x)
    if k == "add":
        return L.Add()([x, inp if s["src"] < 0 else outs[s["src"]]])
    if k == "sampling":
        kl = bench_config.clae2torch._f32(s["kl_weight"], f"{s['where']}: kl_weight")
        return _sampling_layer(keras)(s["latent"], kl)(x)
    raise Bad(f"{s['where']}: layer kind '{k}' has no Keras form in scripts/clae_keras.py")


def build(cfg):
    """-> an uncompiled keras.Model of the config (a bench_config.Config)."""
    import keras
    check(cfg)
    C, H, W = cfg.in_shape
    inp = keras.Input(shape=(H, W, C))
    x, outs = inp, []
    for s in cfg.specs:
        x = _layer(keras, s, x, outs, inp)
        outs.append(x)
    return keras.Model(inp, x, name=cfg.name.replace("-", "_"))
