
seed-7026001è"total ÀÔéÕ("total ÀîêË("total
 €Úñë("total €Œ("total ÀîêË("total €Œšä("total à†ç‚("total  …³a(	*#dongxihu-reordered-two-entities.csv