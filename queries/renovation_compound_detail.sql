-- One compound's card: attributes, pairing with county leaders, totals of funding and feedback.
-- $compound: compound_id.
SELECT c.compound_id, c.name, c.town_name, c.community_name, c.compound_type, c.batch, c.status,
       c.buildings, c.households, c.floor_area_m2, c.built_year, c.is_key, c.in_governance_scope,
       (SELECT count(DISTINCT leader_id) FROM leader_links l WHERE l.compound_id = c.compound_id) AS leaders,
       (SELECT coalesce(sum(amount_yuan), 0) FROM funding f WHERE f.compound_id = c.compound_id) AS funding_yuan,
       (SELECT count(*) FROM feedback b WHERE b.compound_id = c.compound_id) AS feedback_items,
       (SELECT count(*) FROM feedback b WHERE b.compound_id = c.compound_id AND b.status <> '办结') AS feedback_open,
       (SELECT count(*) FROM meetings m WHERE m.compound_id = c.compound_id) AS meetings
FROM v_compounds c
WHERE c.compound_id = $compound;
