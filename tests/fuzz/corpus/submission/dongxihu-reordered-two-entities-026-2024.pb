
seed-8026è"208 ÀšÑf("gpb ÀîêË(
"other €Œ("soe €Úñë(*#dongxihu-reordered-two-entities.csv