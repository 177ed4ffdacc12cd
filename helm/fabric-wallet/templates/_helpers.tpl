{{/* Chart name, truncated to the 63 characters of a DNS label. */}}
{{- define "fabric-wallet.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Release-qualified name for the objects of this chart. */}}
{{- define "fabric-wallet.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/* Labels on every object; pass (dict "root" $ "component" "api"). */}}
{{- define "fabric-wallet.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .root.Chart.Name .root.Chart.Version | replace "+" "_" }}
app.kubernetes.io/name: {{ include "fabric-wallet.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/version: {{ .root.Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
app.kubernetes.io/part-of: fabric-wallet
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{/* Selector labels: stable across upgrades. */}}
{{- define "fabric-wallet.selector" -}}
app.kubernetes.io/name: {{ include "fabric-wallet.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{- define "fabric-wallet.image" -}}
{{- printf "%s:%s" .image.repository (default .root.Chart.AppVersion .image.tag) -}}
{{- end -}}

{{/* Secret holding the MongoDB URI (in-release StatefulSet or external). */}}
{{- define "fabric-wallet.mongodbSecret" -}}
{{- printf "%s-mongodb-uri" (include "fabric-wallet.fullname" .) -}}
{{- end -}}
