-- Civic dashboard data model (DuckDB 1.5.5).
-- Tables are created in dependency order; views live in data/views.sql so they can be
-- recreated after an import without touching data.
-- Provenance of every table is recorded in `provenance` (real / published / synthetic / derived).

CREATE TABLE meta (
    key   VARCHAR PRIMARY KEY,
    value VARCHAR NOT NULL
);

CREATE TABLE provenance (
    table_name VARCHAR PRIMARY KEY,
    kind       VARCHAR NOT NULL CHECK (kind IN ('real', 'published', 'synthetic', 'derived', 'mixed')),
    source     VARCHAR NOT NULL,
    note       VARCHAR
);

-- ── Regions (real NBS 2023 codes) ──────────────────────────────────────────────────────────
CREATE TABLE counties (
    county_code  VARCHAR PRIMARY KEY CHECK (length(county_code) = 6),
    name         VARCHAR NOT NULL,
    province     VARCHAR NOT NULL,
    prefecture   VARCHAR NOT NULL,
    programme    VARCHAR NOT NULL CHECK (programme IN ('文明实践', '小区治理')),
    lon          DOUBLE NOT NULL,
    lat          DOUBLE NOT NULL,
    is_replica   BOOLEAN NOT NULL DEFAULT false   -- --scale N copies, never real
);

CREATE TABLE towns (
    town_code      VARCHAR PRIMARY KEY CHECK (length(town_code) = 9),
    county_code    VARCHAR NOT NULL REFERENCES counties (county_code),
    name           VARCHAR NOT NULL,
    kind           VARCHAR NOT NULL CHECK (kind IN ('镇', '乡', '街道', '开发区')),
    lon            DOUBLE,
    lat            DOUBLE,
    coord_quality  VARCHAR NOT NULL DEFAULT 'approximate'
                   CHECK (coord_quality IN ('approximate', 'imported')),
    area_geojson   VARCHAR          -- approximate town area (示意), GeoJSON geometry, GCJ-02
);

CREATE TABLE villages (
    village_code  VARCHAR PRIMARY KEY CHECK (length(village_code) = 12),
    town_code     VARCHAR NOT NULL REFERENCES towns (town_code),
    name_full     VARCHAR NOT NULL,   -- NBS form, e.g. 西关村村委会
    name          VARCHAR NOT NULL,   -- display form, e.g. 西关村
    kind          VARCHAR NOT NULL CHECK (kind IN ('村', '社区', '虚拟社区'))
);

-- ── 襄垣: practice network ─────────────────────────────────────────────────────────────────
CREATE TABLE sites (
    site_id         VARCHAR PRIMARY KEY,
    level           VARCHAR NOT NULL CHECK (level IN ('中心', '所', '站', '基地')),
    name            VARCHAR NOT NULL,
    county_code     VARCHAR NOT NULL REFERENCES counties (county_code),
    town_code       VARCHAR REFERENCES towns (town_code),
    village_code    VARCHAR REFERENCES villages (village_code),
    parent_site_id  VARCHAR,
    base_kind       VARCHAR,          -- for 基地: 文化空间 / 创客空间 / 培训基地 / 科普 / 体育 / 红色教育 / 其他
    lon             DOUBLE NOT NULL,
    lat             DOUBLE NOT NULL,
    coord_quality   VARCHAR NOT NULL DEFAULT 'approximate'
                    CHECK (coord_quality IN ('approximate', 'imported')),
    opened_date     DATE,
    CHECK (level <> '站' OR village_code IS NOT NULL),
    CHECK (level = '中心' OR town_code IS NOT NULL)
);
-- exactly one station per village-level unit
CREATE UNIQUE INDEX sites_one_station_per_village ON sites (village_code, level);

CREATE TABLE base_spaces (
    site_id  VARCHAR NOT NULL REFERENCES sites (site_id),
    name     VARCHAR NOT NULL,
    PRIMARY KEY (site_id, name)
);

CREATE TABLE site_groups (
    group_name  VARCHAR NOT NULL,
    site_id     VARCHAR NOT NULL REFERENCES sites (site_id),
    PRIMARY KEY (group_name, site_id)
);

CREATE TABLE cultural_resources (
    resource_id   VARCHAR PRIMARY KEY,
    kind          VARCHAR NOT NULL CHECK (kind IN ('乡村文化站', '农家书屋', '图书室', '文化广场')),
    village_code  VARCHAR NOT NULL REFERENCES villages (village_code),
    site_id       VARCHAR REFERENCES sites (site_id)   -- the station that integrated it
);

CREATE TABLE teams (
    team_id         VARCHAR PRIMARY KEY,
    name            VARCHAR NOT NULL,
    team_type       VARCHAR NOT NULL CHECK (team_type IN ('总队', '分队', '站队', '专业队', '协会')),
    county_code     VARCHAR NOT NULL REFERENCES counties (county_code),
    town_code       VARCHAR REFERENCES towns (town_code),
    site_id         VARCHAR REFERENCES sites (site_id),
    parent_team_id  VARCHAR,
    specialty       VARCHAR,
    members         INTEGER NOT NULL CHECK (members >= 0),
    founded_date    DATE NOT NULL
);

CREATE TABLE monthly_themes (
    month  DATE NOT NULL,                 -- first day of the month
    county_code VARCHAR NOT NULL REFERENCES counties (county_code),
    theme  VARCHAR NOT NULL,
    PRIMARY KEY (county_code, month)
);

CREATE TABLE campaigns (
    campaign_id  VARCHAR PRIMARY KEY,
    county_code  VARCHAR NOT NULL REFERENCES counties (county_code),
    name         VARCHAR NOT NULL,
    start_date   DATE NOT NULL,
    end_date     DATE NOT NULL,
    CHECK (end_date >= start_date)
);

CREATE TABLE campaign_items (
    campaign_id  VARCHAR NOT NULL REFERENCES campaigns (campaign_id),
    item_no      INTEGER NOT NULL CHECK (item_no > 0),
    name         VARCHAR NOT NULL,
    service_type VARCHAR NOT NULL CHECK (service_type IN ('理论宣讲', '文化惠民', '项目品牌', '乡风文明', '扶危帮困')),
    PRIMARY KEY (campaign_id, item_no)
);

CREATE TABLE activities (
    activity_id    VARCHAR PRIMARY KEY,
    activity_date  DATE NOT NULL,
    site_id        VARCHAR NOT NULL REFERENCES sites (site_id),
    team_id        VARCHAR REFERENCES teams (team_id),
    service_type   VARCHAR NOT NULL CHECK (service_type IN ('理论宣讲', '文化惠民', '项目品牌', '乡风文明', '扶危帮困')),
    theme          VARCHAR,          -- the month's theme when the activity matched it
    campaign_id    VARCHAR REFERENCES campaigns (campaign_id),
    title          VARCHAR NOT NULL,
    participants   INTEGER NOT NULL CHECK (participants >= 0),
    volunteers     INTEGER NOT NULL CHECK (volunteers >= 0),
    beneficiaries  INTEGER NOT NULL CHECK (beneficiaries >= 0),
    hours          DOUBLE  NOT NULL CHECK (hours >= 0),
    source         VARCHAR NOT NULL DEFAULT 'synthetic' CHECK (source IN ('synthetic', 'import'))
);

CREATE TABLE party_branches (
    branch_id    VARCHAR PRIMARY KEY,
    name         VARCHAR NOT NULL,
    county_code  VARCHAR NOT NULL REFERENCES counties (county_code),
    town_code    VARCHAR REFERENCES towns (town_code),
    members      INTEGER NOT NULL CHECK (members > 0)
);

CREATE TABLE micro_wishes (
    wish_id         VARCHAR PRIMARY KEY,
    branch_id       VARCHAR REFERENCES party_branches (branch_id),   -- NULL while unclaimed
    site_id         VARCHAR NOT NULL REFERENCES sites (site_id),
    category        VARCHAR NOT NULL,
    title           VARCHAR NOT NULL,
    status          VARCHAR NOT NULL CHECK (status IN ('发布', '认领', '完成')),
    published_date  DATE NOT NULL,
    claimed_date    DATE,
    done_date       DATE,
    source          VARCHAR NOT NULL DEFAULT 'synthetic' CHECK (source IN ('synthetic', 'import')),
    CHECK (status = '发布' OR (branch_id IS NOT NULL AND claimed_date IS NOT NULL)),
    CHECK (status <> '完成' OR done_date IS NOT NULL),
    CHECK (claimed_date IS NULL OR claimed_date >= published_date),
    CHECK (done_date IS NULL OR done_date >= claimed_date)
);

CREATE TABLE trainings (
    training_id    VARCHAR PRIMARY KEY,
    training_date  DATE NOT NULL,
    site_id        VARCHAR NOT NULL REFERENCES sites (site_id),
    title          VARCHAR NOT NULL,
    trainees       INTEGER NOT NULL CHECK (trainees >= 0),
    is_free        BOOLEAN NOT NULL DEFAULT true,
    source         VARCHAR NOT NULL DEFAULT 'synthetic' CHECK (source IN ('synthetic', 'import'))
);

-- ── 汉源: renovation ─────────────────────────────────────────────────────────────────────
CREATE TABLE communities (
    community_code  VARCHAR PRIMARY KEY REFERENCES villages (village_code),
    in_programme    BOOLEAN NOT NULL
);

CREATE TABLE concern_areas (          -- 8 个方面群众所急所盼
    area   VARCHAR PRIMARY KEY,
    ord    INTEGER NOT NULL
);

CREATE TABLE service_facility_areas ( -- 5 个方面公共服务设施
    area   VARCHAR PRIMARY KEY,
    ord    INTEGER NOT NULL
);

CREATE TABLE compounds (
    compound_id      VARCHAR PRIMARY KEY,
    name             VARCHAR NOT NULL,
    community_code   VARCHAR NOT NULL REFERENCES communities (community_code),
    town_code        VARCHAR NOT NULL REFERENCES towns (town_code),
    compound_type    VARCHAR NOT NULL CHECK (compound_type IN ('老旧小区', '库区安置小区')),
    batch            VARCHAR NOT NULL CHECK (batch IN ('实施一批', '谋划一批', '储备一批')),
    status           VARCHAR NOT NULL CHECK (status IN ('未启动', '设计', '施工', '验收', '完成')),
    buildings        INTEGER NOT NULL CHECK (buildings > 0),
    households       INTEGER NOT NULL CHECK (households > 0),
    floor_area_m2    DOUBLE  NOT NULL CHECK (floor_area_m2 > 0),
    built_year       INTEGER NOT NULL CHECK (built_year BETWEEN 1950 AND 2030),
    is_key           BOOLEAN NOT NULL DEFAULT false,    -- 重点小区
    in_governance_scope BOOLEAN NOT NULL DEFAULT false, -- among the 55 counted for governance bodies
    lon              DOUBLE,
    lat              DOUBLE,
    coord_quality    VARCHAR NOT NULL DEFAULT 'approximate' CHECK (coord_quality IN ('approximate', 'imported'))
);

CREATE TABLE compound_stages (
    compound_id    VARCHAR NOT NULL REFERENCES compounds (compound_id),
    stage          VARCHAR NOT NULL CHECK (stage IN ('设计', '施工', '验收', '完成')),
    planned_start  DATE NOT NULL,
    planned_end    DATE NOT NULL,
    actual_start   DATE,
    actual_end     DATE,
    PRIMARY KEY (compound_id, stage),
    CHECK (planned_end >= planned_start),
    CHECK (actual_end IS NULL OR actual_start IS NOT NULL),
    CHECK (actual_end IS NULL OR actual_end >= actual_start)
);

CREATE TABLE work_categories (
    category      VARCHAR PRIMARY KEY,
    unit          VARCHAR NOT NULL,
    ord           INTEGER NOT NULL
);

CREATE TABLE works (
    work_id       VARCHAR PRIMARY KEY,
    compound_id   VARCHAR NOT NULL REFERENCES compounds (compound_id),
    category      VARCHAR NOT NULL REFERENCES work_categories (category),
    planned_qty   DOUBLE NOT NULL CHECK (planned_qty >= 0),
    done_qty      DOUBLE NOT NULL CHECK (done_qty >= 0),
    done_date     DATE,
    source        VARCHAR NOT NULL DEFAULT 'synthetic' CHECK (source IN ('synthetic', 'import')),
    UNIQUE (compound_id, category)
);

CREATE TABLE funding (
    compound_id   VARCHAR NOT NULL REFERENCES compounds (compound_id),
    source        VARCHAR NOT NULL CHECK (source IN ('财政奖补', '居民自筹', '集体经济', '联帮包单位')),
    amount_yuan   DOUBLE NOT NULL CHECK (amount_yuan >= 0),
    PRIMARY KEY (compound_id, source)
);

-- ── 汉源: co-governance ──────────────────────────────────────────────────────────────────
CREATE TABLE property_firms (
    firm_id   VARCHAR PRIMARY KEY,
    name      VARCHAR NOT NULL,
    introduced_date DATE NOT NULL
);

CREATE TABLE governance_bodies (
    body_id          VARCHAR PRIMARY KEY,
    compound_id      VARCHAR NOT NULL REFERENCES compounds (compound_id),
    body_type        VARCHAR NOT NULL CHECK (body_type IN ('小区党组织', '业主委员会', '自管委', '物业企业')),
    firm_id          VARCHAR REFERENCES property_firms (firm_id),
    established_date DATE NOT NULL,
    UNIQUE (compound_id, body_type),
    CHECK (body_type <> '物业企业' OR firm_id IS NOT NULL)
);

CREATE TABLE feedback (
    feedback_id    VARCHAR PRIMARY KEY,
    compound_id    VARCHAR NOT NULL REFERENCES compounds (compound_id),
    received_date  DATE NOT NULL,
    category       VARCHAR NOT NULL REFERENCES concern_areas (area),
    channel        VARCHAR NOT NULL CHECK (channel IN ('坝坝会', '座谈会', '网格员走访', '微信群', '议事会', '热线电话')),
    summary        VARCHAR NOT NULL,
    status         VARCHAR NOT NULL CHECK (status IN ('收集', '议事', '办结')),
    resolved_date  DATE,
    source         VARCHAR NOT NULL DEFAULT 'synthetic' CHECK (source IN ('synthetic', 'import')),
    CHECK (status <> '办结' OR resolved_date IS NOT NULL),
    CHECK (resolved_date IS NULL OR resolved_date >= received_date)
);

CREATE TABLE meetings (
    meeting_id     VARCHAR PRIMARY KEY,
    meeting_date   DATE NOT NULL,
    meeting_type   VARCHAR NOT NULL CHECK (meeting_type IN ('坝坝会', '座谈会', '议事会', '联席会议', '政策宣传')),
    community_code VARCHAR NOT NULL REFERENCES communities (community_code),
    compound_id    VARCHAR REFERENCES compounds (compound_id),
    attendees      INTEGER NOT NULL CHECK (attendees >= 0),
    topic          VARCHAR NOT NULL,
    source         VARCHAR NOT NULL DEFAULT 'synthetic' CHECK (source IN ('synthetic', 'import'))
);

-- 议事结果 (residents' public page): what a compound 坝坝会 / 议事会 decided; a 议事会 decision goes to the town
-- party committee (报镇党委审批) and is 通过 once approved; a 坝坝会 collects opinions (approval NULL).
CREATE TABLE meeting_decisions (
    meeting_id     VARCHAR PRIMARY KEY REFERENCES meetings (meeting_id),
    decision       VARCHAR NOT NULL,
    approval       VARCHAR CHECK (approval IN ('报镇党委审批', '通过')),
    approved_date  DATE,
    source         VARCHAR NOT NULL DEFAULT 'synthetic' CHECK (source IN ('synthetic', 'import')),
    CHECK ((approval = '通过') = (approved_date IS NOT NULL))
);

-- The next announced meeting of a compound (dated after the data's day; not yet held, so not in meetings).
-- schedule_id: SM-<compound>-<yyyy-mm-dd> when generated, SM-IMP-<hash> when imported (civic/importer).
CREATE TABLE scheduled_meetings (
    schedule_id    VARCHAR PRIMARY KEY,
    compound_id    VARCHAR NOT NULL REFERENCES compounds (compound_id),
    meeting_date   DATE NOT NULL,
    meeting_type   VARCHAR NOT NULL CHECK (meeting_type IN ('坝坝会', '议事会')),
    topic          VARCHAR NOT NULL,
    source         VARCHAR NOT NULL DEFAULT 'synthetic' CHECK (source IN ('synthetic', 'import')),
    UNIQUE (compound_id, meeting_date)
);

CREATE TABLE grid_party_committees (  -- 社区大党委
    committee_id    VARCHAR PRIMARY KEY,
    name            VARCHAR NOT NULL,
    community_code  VARCHAR NOT NULL REFERENCES communities (community_code)
);

CREATE TABLE grid_committee_members (  -- 县级部门机关专职书记 as 兼职委员
    member_id     VARCHAR PRIMARY KEY,
    committee_id  VARCHAR NOT NULL REFERENCES grid_party_committees (committee_id),
    department    VARCHAR NOT NULL
);

CREATE TABLE grid_units (               -- 编入社区专职网格的县级单位
    unit_id         VARCHAR PRIMARY KEY,
    name            VARCHAR NOT NULL,
    community_code  VARCHAR NOT NULL REFERENCES communities (community_code),
    party_members   INTEGER NOT NULL CHECK (party_members >= 0)   -- 下沉小微网格的机关党员
);

CREATE TABLE leader_links (             -- 县级领导结对联系重点小区
    leader_id    VARCHAR NOT NULL,
    compound_id  VARCHAR NOT NULL REFERENCES compounds (compound_id),
    PRIMARY KEY (leader_id, compound_id)
);

CREATE TABLE partners (                 -- 网格合伙人 (organisations, no personal data)
    partner_id  VARCHAR PRIMARY KEY,
    name        VARCHAR NOT NULL,
    kind        VARCHAR NOT NULL CHECK (kind IN ('物业合伙人', '童心合伙人', '商圈合伙人'))
);

CREATE TABLE partner_projects (
    project_id     VARCHAR PRIMARY KEY,
    name           VARCHAR NOT NULL,
    kind           VARCHAR NOT NULL CHECK (kind IN ('领办小区物业', '服务一老一小', '夜间经济', '便民服务')),
    partner_id     VARCHAR NOT NULL REFERENCES partners (partner_id),
    community_code VARCHAR NOT NULL REFERENCES communities (community_code),
    start_date     DATE NOT NULL
);

-- ── Published figures (copied from shared/facts/seed_facts.csv) ───────────────────────────
CREATE TABLE published_facts (
    fact_id    VARCHAR PRIMARY KEY,
    county     VARCHAR NOT NULL,
    program    VARCHAR NOT NULL,
    metric_zh  VARCHAR NOT NULL,
    value      DOUBLE NOT NULL,
    qualifier  VARCHAR NOT NULL CHECK (qualifier IN ('exact', 'more_than', 'less_than')),
    unit       VARCHAR NOT NULL,
    note       VARCHAR,
    source_sentence VARCHAR NOT NULL,
    period     VARCHAR NOT NULL            -- what the computed value counts, e.g. 2025年 / 累计
);

-- ── Vocabulary: every closed list above, one row per allowed value (from civic/domain.py) ──────
-- Written by the build from civic/domain.py VOCABULARIES; tests/test_domain.py holds each CHECK list
-- above equal to its list there.
CREATE TABLE vocabulary (
    vocabulary VARCHAR NOT NULL,           -- e.g. stage, batch, service_type
    value      VARCHAR NOT NULL,
    ord        INTEGER NOT NULL,           -- position in the list, from 1 (stages are in order)
    PRIMARY KEY (vocabulary, value)
);
