package org.ovss.clip.model;

/** How the last vision block mixes tokens; the training-free methods differ only here. */
public enum AttentionMode {
  /** Plain CLIP: softmax(q k^T / sqrt(d)). */
  VANILLA,
  /**
   * SCLIP's correlative self-attention (Wang, Mei, Yuille. ECCV 2024, Eq. 3;
   * wangf3014/SCLIP@b56bd30 {@code clip/model.py custom_attn}):
   * softmax(q q^T s) + softmax(k k^T s) per head, s = head_dim^-0.5, biases of q and k included.
   */
  CSA,
  /**
   * MaskCLIP's value path (Zhou, Loy, Dai. ECCV 2022; chongzhou96/MaskCLIP@245d31f
   * {@code mmseg/models/backbones/vit.py}): identity attention, so each token gets
   * out_proj(v_proj(ln_1 x)); residual and FFN kept.
   */
  IDENTITY
}
