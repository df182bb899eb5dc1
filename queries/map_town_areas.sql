-- Approximate town areas (GeoJSON, GCJ-02) of the practice counties, for the map's base image, pickable
-- areas and label points. No parameters: one result per data version, so the long geometry text passes the
-- personal-data screen (civic/store/queries.py) once per version, not on every filter change (at ×100 the
-- 900 areas cost ~0.45 s of screening when they rode along with map_towns' per-filter totals).
SELECT t.town_code, t.area_geojson
FROM towns t JOIN counties c USING (county_code)
WHERE c.programme = '文明实践' AND t.area_geojson IS NOT NULL
ORDER BY t.town_code;
