/**
 * The lowest BlazeFace score taken for a face. Measured on downscaled photos (docs/url-parameters.md, "Face detection"): faces
 * scored 0.74-0.87, photos without a face at most 0.60 (window blinds, a mountain), a cat 0.71.
 */
export const MIN_SCORE = 0.65;
