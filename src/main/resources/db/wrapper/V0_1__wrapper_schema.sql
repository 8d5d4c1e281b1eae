-- The suite's central ("Wrapper") tables, for the demo and the tests. A deployment against an
-- existing Wrapper database leaves classpath:db/wrapper out of spring.flyway.locations.

CREATE TABLE tenants (
    id         text PRIMARY KEY,
    name       text        NOT NULL,
    status     text        NOT NULL DEFAULT 'active',
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE applications (
    code        text PRIMARY KEY,
    name        text NOT NULL,
    description text
);

CREATE TABLE organization_applications (
    tenant_id        text        NOT NULL REFERENCES tenants (id),
    application_code text        NOT NULL REFERENCES applications (code),
    is_enabled       boolean     NOT NULL DEFAULT true,
    enabled_at       timestamptz,
    disabled_at      timestamptz,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, application_code)
);

CREATE TABLE credit_configurations (
    id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    tenant_id      text           NOT NULL REFERENCES tenants (id),
    operation_code text           NOT NULL,
    credit_cost    numeric(12, 2) NOT NULL,
    is_active      boolean        NOT NULL DEFAULT true,
    description    text,
    updated_by     text,
    created_at     timestamptz    NOT NULL DEFAULT now(),
    updated_at     timestamptz    NOT NULL DEFAULT now(),
    UNIQUE (tenant_id, operation_code)
);

CREATE TABLE roles (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    tenant_id   text        NOT NULL REFERENCES tenants (id),
    name        text        NOT NULL,
    permissions text[]      NOT NULL DEFAULT '{}',
    is_active   boolean     NOT NULL DEFAULT true,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE users (
    id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    tenant_id  text        NOT NULL REFERENCES tenants (id),
    email      text        NOT NULL,
    first_name text,
    last_name  text,
    phone      text,
    job_title  text,
    status     text        NOT NULL DEFAULT 'active',
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE entities (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    tenant_id   text        NOT NULL REFERENCES tenants (id),
    parent_id   uuid REFERENCES entities (id),
    entity_type text        NOT NULL DEFAULT 'organization',
    code        text,
    name        text        NOT NULL,
    description text,
    industry    text,
    website     text,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX entities_tenant ON entities (tenant_id);
CREATE INDEX entities_parent ON entities (parent_id);

CREATE TABLE organization_memberships (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    tenant_id       text        NOT NULL REFERENCES tenants (id),
    user_id         uuid        NOT NULL REFERENCES users (id),
    organization_id uuid        NOT NULL REFERENCES entities (id),
    role_id         uuid REFERENCES roles (id),
    is_active       boolean     NOT NULL DEFAULT true,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX organization_memberships_tenant ON organization_memberships (tenant_id);

CREATE TABLE credit_allocations (
    id                 uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    tenant_id          text           NOT NULL REFERENCES tenants (id),
    entity_id          uuid REFERENCES entities (id),
    target_application text           NOT NULL REFERENCES applications (code),
    amount             numeric(14, 2) NOT NULL,
    available          numeric(14, 2) NOT NULL,
    is_active          boolean        NOT NULL DEFAULT true,
    allocated_at       timestamptz    NOT NULL DEFAULT now(),
    expires_at         timestamptz,
    created_at         timestamptz    NOT NULL DEFAULT now(),
    updated_at         timestamptz    NOT NULL DEFAULT now()
);
CREATE INDEX credit_allocations_tenant ON credit_allocations (tenant_id, target_application);

INSERT INTO applications (code, name, description) VALUES
    ('crm', 'CRM', 'Customer relationship management'),
    ('hrms', 'HRMS', 'Human resources'),
    ('finance', 'Finance', 'Invoicing and accounting'),
    ('affiliate', 'Affiliate', 'Affiliate programme');
